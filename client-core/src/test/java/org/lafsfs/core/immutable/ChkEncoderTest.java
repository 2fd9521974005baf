package org.lafsfs.core.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lafsfs.core.Interop;
import org.lafsfs.core.crypto.Hashes;

/**
 * Byte identity with Tahoe: the same plaintext, convergence secret and
 * parameters give the same cap and, for every share, the same bytes that a
 * Tahoe-LAFS 1.20 server stored.
 */
class ChkEncoderTest {


    @ParameterizedTest
    @MethodSource("org.lafsfs.core.Interop#chkFileNames")
    void encodesTheSharesTahoeStored(String name) throws Exception {
        JsonNode object = Interop.object(name);
        byte[] plaintext = Interop.plaintext(object);
        long maxSegment = Interop.phase(object.get("phase").asText()).get("immutable_max_segment_size").asLong();
        int segmentSize = ChkEncoder.segmentSizeFor(plaintext.length, maxSegment, 3);
        byte[] key = Hashes.convergenceHasher(3, 10, segmentSize, Interop.convergenceSecret()).update(plaintext)
                .digest();

        ChkEncoder encoder = new ChkEncoder(key, 3, 10, plaintext.length, segmentSize);
        ByteArrayOutputStream[] shares = new ByteArrayOutputStream[10];
        for (int i = 0; i < 10; i++) {
            shares[i] = new ByteArrayOutputStream();
        }
        for (int seg = 0; seg < encoder.numSegments(); seg++) {
            int from = seg * segmentSize;
            byte[][] blocks = encoder.encodeSegment(
                    Arrays.copyOfRange(plaintext, from, Math.min(plaintext.length, from + segmentSize)));
            for (int i = 0; i < 10; i++) {
                shares[i].writeBytes(blocks[i]);
            }
        }
        ChkEncoder.Result result = encoder.finish();
        assertThat(result.cap().uri()).isEqualTo(object.get("readcap").asText());

        for (int shnum : Interop.shareNumbers(object)) {
            byte[] expected = Interop.immutableShareData(Interop.shareFile(object, Interop.holder(object, shnum),
                    shnum));
            ByteArrayOutputStream share = new ByteArrayOutputStream();
            share.writeBytes(result.layout().header());
            share.writeBytes(shares[shnum].toByteArray());
            share.writeBytes(result.trailers().get(shnum));
            assertThat(share.size()).as("%s share %d size", name, shnum).isEqualTo(expected.length);
            assertThat(share.toByteArray()).as("%s share %d", name, shnum).isEqualTo(expected);
            assertThat(result.layout().shareSize(result.uriExtension().pack().length)).isEqualTo(expected.length);
        }
    }

    @Test
    void largeSharesGetTheLayoutWithEightByteOffsets() {
        ShareLayout small = ShareLayout.forUpload(349_526, 349_531, 2, 5, 320);
        assertThat(small.version()).isEqualTo(1);
        long twelveGiB = 12L << 30;
        ShareLayout large = ShareLayout.forUpload(349_526, twelveGiB / 3 * 2, 24_000, 5, 320);
        assertThat(large.version()).isEqualTo(2);
        assertThat(large.dataOffset()).isEqualTo(ShareLayout.V2_HEADER_SIZE);
        assertThat(large.header()).hasSize(ShareLayout.V2_HEADER_SIZE);
    }

    @Test
    void segmentsMustArriveWholeAndInOrder() {
        ChkEncoder encoder = new ChkEncoder(new byte[16], 3, 10, 1000, 999);
        assertThatThrownBy(() -> encoder.encodeSegment(new byte[10])).hasMessageContaining("must be 999 bytes");
        encoder.encodeSegment(new byte[999]);
        encoder.encodeSegment(new byte[1]);
        assertThatThrownBy(() -> encoder.encodeSegment(new byte[1])).hasMessageContaining("already encoded");
        assertThat(encoder.finish().cap().size()).isEqualTo(1000);
        assertThatThrownBy(() -> new ChkEncoder(new byte[16], 3, 10, 1000, 1000)).hasMessageContaining("multiple");
        assertThat(List.of(ChkEncoder.segmentSizeFor(56, 1 << 20, 3), ChkEncoder.segmentSizeFor(3_000_000, 1 << 20, 3)))
                .containsExactly(57, 1_048_578);
    }

    @Test
    void segmentsEncodedAtOnceOnSeveralThreadsGiveTheSameSharesAsOneByOne() throws Exception {
        byte[] plaintext = new byte[10 * 999 + 123];
        new java.util.Random(7).nextBytes(plaintext);
        ChkEncoder serial = new ChkEncoder(new byte[16], 3, 10, plaintext.length, 999);
        ChkEncoder parallel = new ChkEncoder(new byte[16], 3, 10, plaintext.length, 999);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<ChkEncoder.Encoded>> encoded = new java.util.ArrayList<>();
            for (int seg = serial.numSegments() - 1; seg >= 0; seg--) { // submitted last first
                int number = seg;
                byte[] piece = Arrays.copyOfRange(plaintext, seg * 999, Math.min(plaintext.length, seg * 999 + 999));
                encoded.add(0, pool.submit(() -> parallel.encode(number, piece)));
            }
            for (int seg = 0; seg < serial.numSegments(); seg++) {
                byte[][] one = serial.encodeSegment(
                        Arrays.copyOfRange(plaintext, seg * 999, Math.min(plaintext.length, seg * 999 + 999)));
                assertThat(parallel.accept(encoded.get(seg).get())).isDeepEqualTo(one);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(parallel.finish().cap().uri()).isEqualTo(serial.finish().cap().uri());
    }

    @Test
    void encodedSegmentsAreAcceptedOnlyInOrder() {
        ChkEncoder encoder = new ChkEncoder(new byte[16], 3, 10, 1000, 999);
        ChkEncoder.Encoded second = encoder.encode(1, new byte[1]);
        assertThatThrownBy(() -> encoder.accept(second)).hasMessageContaining("where segment 0 was expected");
        assertThatThrownBy(() -> encoder.encode(2, new byte[1])).hasMessageContaining("not one of the 2 segments");
        encoder.accept(encoder.encode(0, new byte[999]));
        encoder.accept(second);
        assertThat(encoder.finish().cap().size()).isEqualTo(1000);
    }
}
