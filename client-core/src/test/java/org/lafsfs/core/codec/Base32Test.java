package org.lafsfs.core.codec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.Interop;

class Base32Test {

    @Test
    void encodesTheRfcVectorsInLowercaseWithoutPadding() {
        String[][] vectors = {{"", ""}, {"f", "my"}, {"fo", "mzxq"}, {"foo", "mzxw6"}, {"foob", "mzxw6yq"},
            {"fooba", "mzxw6ytb"}, {"foobar", "mzxw6ytboi"}};
        for (String[] v : vectors) {
            assertThat(Base32.encode(v[0].getBytes(US_ASCII))).isEqualTo(v[1]);
            assertThat(new String(Base32.decode(v[1]), US_ASCII)).isEqualTo(v[0]);
        }
    }

    @Test
    void roundTripsEveryLength() {
        Random random = new Random(1);
        for (int length = 0; length < 80; length++) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            String text = Base32.encode(data);
            assertThat(text).hasSize(Base32.encodedLength(length));
            assertThat(Base32.decode(text)).isEqualTo(data);
        }
    }

    @Test
    void decodesTheConvergenceSecretTahoeWrote() {
        JsonNode phase = Interop.phase("public");
        assertThat(Base32.decode(phase.get("convergence_secret_base32").asText()))
                .isEqualTo(Interop.convergenceSecret());
        assertThat(Base32.encode(Interop.convergenceSecret()))
                .isEqualTo(phase.get("convergence_secret_base32").asText());
    }

    @Test
    void rejectsUppercaseAndForeignCharacters() {
        assertThatThrownBy(() -> Base32.decode("MZXW6")).hasMessageContaining("'M' at position 0");
        assertThatThrownBy(() -> Base32.decode("mzxw1")).hasMessageContaining("'1' at position 4");
        assertThatThrownBy(() -> Base32.decode("mzx=6")).hasMessageContaining("'='");
    }

    @Test
    void rejectsLengthsNoByteCountProduces() {
        assertThatThrownBy(() -> Base32.decode("m")).hasMessageContaining("1 characters");
        assertThatThrownBy(() -> Base32.decode("mzx")).hasMessageContaining("3 characters");
        assertThatThrownBy(() -> Base32.decode("mzxw6y")).hasMessageContaining("6 characters");
    }

    @Test
    void rejectsNonZeroBitsAfterTheLastByte() {
        // "my" is 'f' (01100 110 + 00 padding); "mz" sets a padding bit.
        assertThatThrownBy(() -> Base32.decode("mz")).hasMessageContaining("non-zero bits");
        assertThat(Base32.isEncodingOf("mz", 1)).isFalse();
        assertThat(Base32.isEncodingOf("my", 1)).isTrue();
    }
}
