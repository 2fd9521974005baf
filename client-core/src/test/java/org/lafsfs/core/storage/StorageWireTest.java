package org.lafsfs.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.upokecenter.cbor.CBORObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The CBOR bodies, in the shapes Tahoe's CDDL schemas give. */
class StorageWireTest {

    @Test
    void readTestWriteRoundTripsWithIntegerShareKeys() {
        TestWriteVectors v = new TestWriteVectors(List.of(new TestWriteVectors.Test(0, 1, new byte[0])),
                List.of(new TestWriteVectors.Write(9, "world".getBytes())), 5L);
        byte[] body = StorageWire.encodeReadTestWrite(Map.of(3, v), List.of(new ReadVector(3, 12)));
        CBORObject decoded = CBORObject.DecodeFromBytes(body);
        assertThat(decoded.get("test-write-vectors").getKeys()).containsExactly(CBORObject.FromObject(3));
        StorageWire.ReadTestWriteRequest back = StorageWire.decodeReadTestWrite(body);
        TestWriteVectors got = back.testWriteVectors().get(3);
        assertThat(got.writes().get(0).data()).isEqualTo("world".getBytes());
        assertThat(got.newLength()).isEqualTo(5L);
        assertThat(back.readVector()).containsExactly(new ReadVector(3, 12));

        byte[] nullLength = StorageWire.encodeReadTestWrite(Map.of(0, new TestWriteVectors(List.of(), List.of(), null)),
                List.of());
        assertThat(StorageWire.decodeReadTestWrite(nullLength).testWriteVectors().get(0).newLength()).isNull();
    }

    @Test
    void resultsMapShareNumbersToReads() {
        byte[] body = StorageWire.encodeReadTestWriteResult(new ReadTestWriteResult(true,
                Map.of(0, List.of("foo".getBytes()), 5, List.of("bar".getBytes()))));
        ReadTestWriteResult r = StorageWire.decodeReadTestWriteResult(body);
        assertThat(r.success()).isTrue();
        assertThat(r.data().get(5)).singleElement().isEqualTo("bar".getBytes());
        // Tahoe's own example sends an empty list when nothing was read.
        CBORObject empty = CBORObject.NewMap().Add("success", true).Add("data", CBORObject.NewArray());
        assertThat(StorageWire.decodeReadTestWriteResult(empty.EncodeToBytes()).data()).isEmpty();
    }

    @Test
    void setsAreTaggedAndUntaggedArraysAreAccepted() {
        byte[] tagged = StorageWire.encodeShareSet(Set.of(1, 5));
        assertThat(CBORObject.DecodeFromBytes(tagged).getMostOuterTag().ToInt32Checked()).isEqualTo(258);
        assertThat(StorageWire.decodeShareSet(tagged)).containsExactly(1, 5);
        assertThat(StorageWire.decodeShareSet(CBORObject.NewArray().Add(2).EncodeToBytes())).containsExactly(2);
        Allocation a = StorageWire.decodeAllocation(StorageWire.encodeAllocation(new Allocation(Set.of(1), Set.of(7))));
        assertThat(a.alreadyHave()).containsExactly(1);
        assertThat(a.allocated()).containsExactly(7);
    }

    @Test
    void malformedBodiesAreRejectedClearly() {
        assertThatThrownBy(() -> StorageWire.decodeAllocateRequest(new byte[] {(byte) 0xff}))
                .isInstanceOf(StorageWire.MalformedMessage.class);
        assertThatThrownBy(() -> StorageWire.decodeAllocateRequest(CBORObject.NewMap().Add("share-numbers",
                CBORObject.NewArray()).EncodeToBytes())).hasMessageContaining("allocated-size");
        assertThatThrownBy(() -> StorageWire.decodeShareSet(CBORObject.NewArray().Add(300).EncodeToBytes()))
                .hasMessageContaining("over 255");
        assertThatThrownBy(() -> StorageWire.decodeAllocateRequest(CBORObject.NewMap()
                .Add("share-numbers", CBORObject.NewArray()).Add("allocated-size", -1).EncodeToBytes()))
                .hasMessageContaining("unsigned");
    }
}
