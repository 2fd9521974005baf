package org.lafsfs.core.mutable;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lafsfs.core.Interop;
import org.lafsfs.core.cap.CapParser;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.crypto.SigningKey;
import org.lafsfs.core.storage.TestWriteVectors.Write;

/**
 * The mutable shares a real Tahoe-LAFS 1.20 grid wrote: every field where the
 * layout says, the signature good under the cap's key, the private key
 * recoverable with the write cap, and our encoder, given the same key, salts
 * and content, writing the same bytes (all but the signature, which RSA-PSS
 * randomizes).
 */
class MutableShareInteropTest {

    @ParameterizedTest
    @ValueSource(strings = {"mut-sdmf-1000", "mut-mdmf-300000", "dir-sdmf", "dir-mdmf", "dir-sdmf-subdir"})
    void tahoesSharesParseVerifyAndUnlock(String name) throws Exception {
        JsonNode object = Interop.object(name);
        MutableKeys keys = MutableKeys.of(CapParser.parse(object.get("writecap").asText()));
        assertThat(keys.storageIndex().toString()).isEqualTo(object.get("storage_index").asText());
        for (int shnum : Interop.shareNumbers(object)) {
            byte[] share = Interop.mutableShareData(Interop.shareFile(object, Interop.holder(object, shnum), shnum));
            MutableShareLayout layout = MutableShareLayout.parse(share);
            SignedPrefix prefix = layout.prefix();
            assertThat(prefix.seqnum()).isEqualTo(object.get("seqnum").asLong());
            assertThat(prefix.format()).isEqualTo(keys.format());
            assertThat(layout.eof()).isEqualTo(share.length);
            byte[] pubkey = layout.pubkeyField().in(share, 0);
            assertThat(keys.isOurPublicKey(pubkey)).isTrue();
            assertThat(SigningKey.VerifyingKey.fromDer(pubkey).verify(prefix.bytes(),
                    layout.signatureField().in(share, 0))).isTrue();
            SigningKey key = keys.unlock(layout.encPrivkeyField().in(share, 0));
            assertThat(key.verifyingKey().der()).isEqualTo(pubkey);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mut-sdmf-1000", "mut-mdmf-300000"})
    void ourEncoderWritesTahoesBytesGivenTheSameSalts(String name) throws Exception {
        JsonNode object = Interop.object(name);
        MutableKeys keys = MutableKeys.of(CapParser.parse(object.get("writecap").asText()));
        byte[] plaintext = Interop.mutablePlaintext(object);
        byte[] share0 = Interop.mutableShareData(Interop.shareFile(object, Interop.holder(object, 0), 0));
        MutableShareLayout tahoe = MutableShareLayout.parse(share0);
        keys.unlock(tahoe.encPrivkeyField().in(share0, 0));
        SignedPrefix prefix = tahoe.prefix();

        MutableEncoder encoder = new MutableEncoder(keys, prefix.k(), prefix.n(), plaintext.length,
                new SecureRandom());
        assertThat(encoder.shape().segmentSize()).isEqualTo(prefix.segmentSize());
        List<MutableEncoder.Segment> segments = new ArrayList<>();
        byte[][][] leaves = new byte[prefix.n()][prefix.segmentCount()][];
        for (int seg = 0; seg < prefix.segmentCount(); seg++) {
            byte[] salt = prefix.format() == MutableFormat.SDMF ? prefix.salt()
                    : Arrays.copyOfRange(share0, (int) tahoe.saltOffset(seg), (int) tahoe.saltOffset(seg) + 16);
            long from = seg * prefix.segmentSize();
            MutableEncoder.Segment s = encoder.encodeSegment(seg,
                    Arrays.copyOfRange(plaintext, (int) from, (int) from + prefix.segmentLength(seg)), salt);
            segments.add(s);
            for (int sh = 0; sh < prefix.n(); sh++) {
                leaves[sh][seg] = s.leafHashes()[sh];
            }
        }
        MutableEncoder.EncodedVersion ours = encoder.finish(prefix.seqnum(), leaves, prefix.salt(), segments);
        assertThat(ours.prefix()).isEqualTo(prefix);
        for (int shnum : Interop.shareNumbers(object)) {
            byte[] theirs = Interop.mutableShareData(Interop.shareFile(object, Interop.holder(object, shnum), shnum));
            byte[] mine = apply(ours.writes().get(shnum), ours.shareLength());
            MutableShareLayout.Field signature = MutableShareLayout.parse(theirs).signatureField();
            Arrays.fill(theirs, (int) signature.offset(), (int) signature.end(), (byte) 0);
            Arrays.fill(mine, (int) signature.offset(), (int) signature.end(), (byte) 0);
            assertThat(mine).as("share %d", shnum).isEqualTo(theirs);
        }
    }

    static byte[] apply(List<Write> writes, long length) {
        byte[] share = new byte[(int) length];
        for (Write w : writes) {
            System.arraycopy(w.data(), 0, share, (int) w.offset(), w.data().length);
        }
        return share;
    }
}
