package org.lafsfs.core.dirnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * A child's write cap inside a mutable directory: salt || AES-CTR || mac, all
 * derived from the cap and the directory's writekey. The expected values were
 * computed independently (Python hashlib + cryptography) from the facts in
 * Tahoe's hashutil: salt = SHA256d(netstring(salt tag) || rw_uri)[:16],
 * key = SHA256d(netstring(key tag) || netstring(salt) || netstring(writekey))[:16],
 * mac = Tahoe's hashutil.hmac(key, salt || crypttext).
 */
class WritecapEncryptionTest {
    static final byte[] WRITEKEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
    static final String SUBDIR_WRITECAP =
            "URI:DIR2:oylrfa3okbpg5wuwn4vccm5hqe:szkkp2paaczefoawn6icrl3swybtleblxloiyxmchguoi23o5hea";
    static final String SUBDIR_RWCAPDATA = """
            1a4ac373506aec651c25274452d5045604ff9c9a972b09c1c273fe25822c00009b8aee369011ae7ee9bfa60ba9315a63\
            3ff89f8bd152c30f448e6564b5bdbfc6d4447af5270d2e5c0ea8d28cb4146aa062537badc99cfb4c332d1d4e2d5e1108\
            f8b440275a328ded1ed335781d1df7a56bf23387aff3959063ee69aabf3f61b3ca551a38df3b5f4e""";

    @Test
    void aWriteCapIsSaltCrypttextAndMacDerivedFromTheCapAndTheWritekey() {
        byte[] rwcapdata = WritecapEncryption.encrypt(WRITEKEY, SUBDIR_WRITECAP.getBytes(StandardCharsets.US_ASCII));

        assertThat(HexFormat.of().formatHex(rwcapdata)).isEqualTo(SUBDIR_RWCAPDATA);
        assertThat(rwcapdata).hasSize(16 + SUBDIR_WRITECAP.length() + 32);
    }

    @Test
    void theSameCapAlwaysEncryptsTheSameWaySoUnchangedDirectoriesRepackIdentically() {
        byte[] cap = SUBDIR_WRITECAP.getBytes(StandardCharsets.US_ASCII);

        assertThat(WritecapEncryption.encrypt(WRITEKEY, cap)).isEqualTo(WritecapEncryption.encrypt(WRITEKEY, cap));
    }

    @Test
    void aChildWithoutWriteCapStillGetsTheEncryptionOfNothing() {
        assertThat(HexFormat.of().formatHex(WritecapEncryption.encrypt(WRITEKEY, new byte[0])))
                .isEqualTo("d05f738a043b8404b7495ccb5d550186" // salt of ""
                        + "6971af5bc2acc121f3a8c3c9e4c67eaa2cf628b320d73bc02284aa976c0018c7"); // mac
    }

    @Test
    void decryptingGivesTheWriteCapBack() {
        byte[] rwcapdata = HexFormat.of().parseHex(SUBDIR_RWCAPDATA);

        assertThat(new String(WritecapEncryption.decrypt(WRITEKEY, rwcapdata), StandardCharsets.US_ASCII))
                .isEqualTo(SUBDIR_WRITECAP);
    }

    @Test
    void aTamperedMacIsRejected() {
        byte[] rwcapdata = HexFormat.of().parseHex(SUBDIR_RWCAPDATA);
        rwcapdata[rwcapdata.length - 1] ^= 1;

        assertThatThrownBy(() -> WritecapEncryption.decrypt(WRITEKEY, rwcapdata))
                .isInstanceOf(CorruptDirnodeException.class).hasMessageContaining("MAC");
    }

    @Test
    void aTamperedCrypttextIsRejected() {
        byte[] rwcapdata = HexFormat.of().parseHex(SUBDIR_RWCAPDATA);
        rwcapdata[20] ^= 1;

        assertThatThrownBy(() -> WritecapEncryption.decrypt(WRITEKEY, rwcapdata))
                .isInstanceOf(CorruptDirnodeException.class).hasMessageContaining("MAC");
    }

    @Test
    void anotherDirectorysWritekeyIsRejected() {
        byte[] otherWritekey = WRITEKEY.clone();
        otherWritekey[0] = 42;

        assertThatThrownBy(() -> WritecapEncryption.decrypt(otherWritekey, HexFormat.of().parseHex(SUBDIR_RWCAPDATA)))
                .isInstanceOf(CorruptDirnodeException.class).hasMessageContaining("writekey");
    }

    @Test
    void aFieldTooShortForSaltAndMacIsRejected() {
        assertThatThrownBy(() -> WritecapEncryption.decrypt(WRITEKEY, new byte[47]))
                .isInstanceOf(CorruptDirnodeException.class).hasMessageContaining("47 bytes");
    }

    @Test
    void tahoesMacIsNotRfc2104HmacForShortKeys() throws Exception {
        byte[] key = WRITEKEY;
        byte[] data = "abc".getBytes(StandardCharsets.US_ASCII);
        Mac rfc2104 = Mac.getInstance("HmacSHA256");
        rfc2104.init(new SecretKeySpec(key, "HmacSHA256"));

        assertThat(HexFormat.of().formatHex(WritecapEncryption.mac(key, data)))
                .isEqualTo("c197f509121ad3acf1b1f12d8f81a165388f53085cfcf4ca94297b1dbaaa945a");
        assertThat(WritecapEncryption.mac(key, data)).isNotEqualTo(rfc2104.doFinal(data));
    }
}
