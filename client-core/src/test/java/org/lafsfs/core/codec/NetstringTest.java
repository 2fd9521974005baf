package org.lafsfs.core.codec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NetstringTest {

    @Test
    void encodesLengthColonBytesComma() {
        assertThat(new String(Netstring.encode("hello".getBytes(US_ASCII)), US_ASCII)).isEqualTo("5:hello,");
        assertThat(new String(Netstring.encode(new byte[0]), US_ASCII)).isEqualTo("0:,");
    }

    @Test
    void readsConsecutiveNetstrings() {
        Netstring.Reader reader = new Netstring.Reader("3:abc,0:,11:hello world,".getBytes(US_ASCII));
        assertThat(reader.next(3)).extracting(b -> new String(b, US_ASCII)).containsExactly("abc", "", "hello world");
        assertThat(reader.hasMore()).isFalse();
    }

    @Test
    void rejectsTruncatedAndMisterminatedInput() {
        assertThatThrownBy(() -> new Netstring.Reader("5:abc,".getBytes(US_ASCII)).next())
                .hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> new Netstring.Reader("3:abcd".getBytes(US_ASCII)).next())
                .hasMessageContaining("not terminated");
        assertThatThrownBy(() -> new Netstring.Reader("x:abc,".getBytes(US_ASCII)).next())
                .hasMessageContaining("malformed netstring length");
        assertThatThrownBy(() -> new Netstring.Reader("03:abc,".getBytes(US_ASCII)).next())
                .hasMessageContaining("leading zero");
        assertThatThrownBy(() -> new Netstring.Reader("abc".getBytes(US_ASCII)).next())
                .hasMessageContaining("malformed");
    }
}
