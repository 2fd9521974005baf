package org.lafsfs.core.crypto;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.Interop;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.MutableWriteCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.codec.Base32;

class HashesTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void taggedHashIsSha256dOfTheNetstringTagAndTheValue() {
        // SHA256(SHA256("3:tag," + "value")), computed independently.
        assertThat(HEX.formatHex(Sha256d.tagged("tag".getBytes(US_ASCII), 32).update("value".getBytes(US_ASCII))
                .digest())).isEqualTo("64b0cafcfe5f99653ae63b644191c890600965073ef48bf9b24f9e623c940229");
        assertThat(HEX.formatHex(HashTag.MERKLE_INTERNAL_NODE.pairHash("a".getBytes(US_ASCII),
                "b".getBytes(US_ASCII)))).isEqualTo("8235e036497141ac94c8396a46e8bd3407ec07696fca7bf6f8f713039e6a8e67");
        assertThat(HEX.formatHex(Hashes.storageIndex(new byte[16]))).isEqualTo("d2bc0abd2606c6776f324bbcd6aa7f6f");
    }

    @Test
    void streamingAndOneShotHashesAgree() {
        byte[] data = new byte[100_000];
        Arrays.fill(data, (byte) 7);
        Sha256d streaming = HashTag.CRYPTTEXT.hasher();
        for (int i = 0; i < data.length; i += 999) {
            streaming.update(ByteBuffer.wrap(data, i, Math.min(999, data.length - i)));
        }
        assertThat(streaming.digest()).isEqualTo(HashTag.CRYPTTEXT.hash(data));
    }

    @Test
    void convergentKeysAndStorageIndexesMatchTheCapsTahoeMade() {
        for (JsonNode object : Interop.objects("immutable-file")) {
            if (!(Cap.parse(object.get("readcap").asText()) instanceof ChkCap cap)) {
                continue; // LIT files have no key
            }
            byte[] plaintext = Interop.plaintext(object);
            long maxSegment = Interop.phase(object.get("phase").asText()).get("immutable_max_segment_size").asLong();
            long segmentSize = roundUp(Math.min(maxSegment, plaintext.length), cap.neededShares());
            byte[] key = Hashes.convergenceHasher(cap.neededShares(), cap.totalShares(), segmentSize,
                    Interop.convergenceSecret()).update(plaintext).digest();
            assertThat(Base32.encode(key)).as(object.get("name").asText()).isEqualTo(Base32.encode(cap.key()));
            assertThat(StorageIndex.of(Hashes.storageIndex(key)).toString())
                    .isEqualTo(object.get("storage_index").asText());
        }
    }

    @Test
    void theConvergentKeyDependsOnTheEncodingParameters() {
        byte[] secret = Interop.convergenceSecret();
        byte[] data = "same bytes".getBytes(US_ASCII);
        byte[] a = Hashes.convergenceHasher(3, 10, 12, secret).update(data).digest();
        byte[] b = Hashes.convergenceHasher(2, 10, 12, secret).update(data).digest();
        assertThat(a).hasSize(16).isNotEqualTo(b);
        assertThatThrownBy(() -> Hashes.convergenceHasher(4, 3, 12, secret)).hasMessageContaining("k <= n");
    }

    @Test
    void writeEnablersMatchWhatTahoeStoredInEachMutableShare() {
        int checked = 0;
        for (JsonNode object : Interop.objects()) {
            JsonNode writecap = object.get("writecap");
            if (writecap == null || writecap.isNull() || !object.has("share_files")) {
                continue;
            }
            Cap cap = Cap.parse(writecap.asText());
            MutableWriteCap write = cap instanceof MutableWriteCap w ? w
                    : (MutableWriteCap) ((org.lafsfs.core.cap.DirectoryCap) cap).fileCap();
            for (JsonNode server : Interop.servers()) {
                String nickname = server.get("nickname").asText();
                byte[] tubId = Base32.decode(server.get("foolscap_tubid").asText());
                for (int shnum : Interop.shareNumbers(object)) {
                    if (!Interop.holder(object, shnum).equals(nickname)) {
                        continue;
                    }
                    // Mutable container: 32-byte magic, 20-byte write-enabler node id, 32-byte write enabler.
                    byte[] container = Interop.shareFile(object, nickname, shnum);
                    assertThat(Arrays.copyOfRange(container, 32, 52)).isEqualTo(tubId);
                    assertThat(Arrays.copyOfRange(container, 52, 84))
                            .as("%s share %d on %s", object.get("name"), shnum, nickname)
                            .isEqualTo(Hashes.writeEnabler(write.writekey(), tubId));
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(40);
    }

    @Test
    void pubkeyFingerprintsMatchTheKeysInSdmfShares() {
        JsonNode object = Interop.object("mut-sdmf-1000");
        MutableWriteCap cap = (MutableWriteCap) Cap.parse(object.get("writecap").asText());
        int shnum = Interop.shareNumbers(object).get(0);
        byte[] container = Interop.shareFile(object, Interop.holder(object, shnum), shnum);
        // SDMF share data starts after the 100-byte container header and four 92-byte lease slots.
        ByteBuffer share = ByteBuffer.wrap(container, 468, container.length - 468).slice();
        assertThat(share.get(0)).isEqualTo((byte) 0); // SDMF version
        int signatureOffset = share.getInt(75);
        byte[] verificationKey = new byte[signatureOffset - 107];
        share.get(107, verificationKey);
        assertThat(Hashes.sskPubkeyFingerprint(verificationKey)).isEqualTo(cap.fingerprint());
    }

    @Test
    void leaseAndBucketSecretsFollowTahoesChain() {
        byte[] leaseSecret = new byte[32];
        byte[] renewal = Hashes.clientRenewalSecret(leaseSecret);
        byte[] cancel = Hashes.clientCancelSecret(leaseSecret);
        assertThat(renewal).isNotEqualTo(cancel).hasSize(32);
        // Tahoe hashes the tag constant under the secret: tagged_hash(secret, CLIENT_RENEWAL_TAG).
        assertThat(renewal).isEqualTo(Sha256d.tagged(leaseSecret, 32)
                .update(HashTag.CLIENT_RENEWAL.bytes()).digest());
        byte[] si = new byte[16];
        byte[] file = Hashes.fileRenewalSecret(renewal, si);
        assertThat(file).isEqualTo(HashTag.FILE_RENEWAL.pairHash(renewal, si));
        assertThatThrownBy(() -> Hashes.bucketRenewalSecret(file, new byte[32])).hasMessageContaining("20 bytes");
        assertThat(Hashes.bucketRenewalSecret(file, new byte[20])).isNotEqualTo(Hashes.bucketCancelSecret(file,
                new byte[20]));
    }

    @Test
    void everyTagIsDistinct() {
        assertThat(Arrays.stream(HashTag.values()).map(t -> new String(t.bytes(), US_ASCII)).distinct())
                .hasSize(HashTag.values().length);
    }

    private static long roundUp(long value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
