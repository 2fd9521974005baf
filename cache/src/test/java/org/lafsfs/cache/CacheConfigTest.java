package org.lafsfs.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CacheConfigTest {

    @Test
    void theDefaults() {
        CacheConfig d = CacheConfig.DEFAULT;
        assertThat(d.dirCacheTime()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.maxDirectories()).isEqualTo(10_000);
        assertThat(d.maxImmutableEntries()).isEqualTo(100_000);
        assertThat(d.segmentCacheBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(d.servermapTime()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.maxServermaps()).isEqualTo(10_000);
    }

    @Test
    void missingKeysKeepTheDefaultsAndOtherKeysAreLeftAlone() {
        assertThat(CacheConfig.fromSettings(Map.of())).isEqualTo(CacheConfig.DEFAULT);
        assertThat(CacheConfig.fromSettings(Map.of("new-file-format", "MDMF", "close-wait", "whenever")))
                .isEqualTo(CacheConfig.DEFAULT);
    }

    @Test
    void everyKeyIsRead() {
        CacheConfig c = CacheConfig.fromSettings(Map.of(
                "dir-cache-time", "2m",
                "dir-cache-size", "500",
                "immutable-cache-size", "20K",
                "segment-cache-size", "1GiB",
                "servermap-cache-time", "90s",
                "servermap-cache-size", "300"));

        assertThat(c).isEqualTo(new CacheConfig(Duration.ofMinutes(2), 500, 20_000, 1L << 30,
                Duration.ofSeconds(90), 300));
    }

    @ParameterizedTest(name = "{0} is {1} ms")
    @CsvSource({
        "0, 0",
        "5s, 5000",
        "' 5s ', 5000",
        "2m, 120000",
        "1h, 3600000",
        "1d, 86400000",
        "500ms, 500",
        "1m30s, 90000",
        "1.5s, 1500",
        "0.25h, 900000",
        "10, 10000",
        "5S, 5000",
        "PT5S, 5000",
    })
    void durations(String text, long millis) {
        assertThat(CacheConfig.fromSettings(Map.of("dir-cache-time", text)).dirCacheTime())
                .isEqualTo(Duration.ofMillis(millis));
        assertThat(CacheConfig.fromSettings(Map.of("servermap-cache-time", text)).servermapTime())
                .isEqualTo(Duration.ofMillis(millis));
    }

    /** As tahoe.cfg reads sizes (Tahoe's parse_abbreviated_size): K, M, G are powers of 1000, Ki, Mi, Gi of 1024. */
    @ParameterizedTest(name = "{0} is {1} bytes")
    @CsvSource({
        "0, 0",
        "1000, 1000",
        "64M, 64000000",
        "64MB, 64000000",
        "64Mi, 67108864",
        "64MiB, 67108864",
        "64mib, 67108864",
        "1G, 1000000000",
        "1GiB, 1073741824",
        "512K, 512000",
        "512KiB, 524288",
        "2T, 2000000000000",
        "100B, 100",
    })
    void sizes(String text, long bytes) {
        assertThat(CacheConfig.fromSettings(Map.of("segment-cache-size", text)).segmentCacheBytes()).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "{0} = ''{1}'' is refused")
    @CsvSource({
        "dir-cache-time, 5x",
        "dir-cache-time, -5s",
        "dir-cache-time, s",
        "dir-cache-time, 5 s",
        "dir-cache-time, PT-5S",
        "dir-cache-time, ''",
        "servermap-cache-time, forever",
        "servermap-cache-time, 1e3",
        "segment-cache-size, 64X",
        "segment-cache-size, -1",
        "segment-cache-size, 1.5G",
        "segment-cache-size, 64 MiB",
        "segment-cache-size, 99999999999E",
        "segment-cache-size, 99999999999999999999",
        "dir-cache-size, lots",
        "immutable-cache-size, -3",
        "servermap-cache-size, 10.5",
    })
    void badValuesAreRefusedNamingTheirKey(String key, String value) {
        assertThatThrownBy(() -> CacheConfig.fromSettings(Map.of(key, value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(key)
                .hasMessageContaining("'" + value.strip() + "'");
    }

    @Test
    void aKeyWithNoValueIsRefused() {
        Map<String, String> section = new HashMap<>();
        section.put("dir-cache-size", null);
        assertThatThrownBy(() -> CacheConfig.fromSettings(section)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dir-cache-size");
    }

    @Test
    void negativeValuesAreRefusedByTheRecordToo() {
        assertThatThrownBy(() -> new CacheConfig(Duration.ofSeconds(-1), 1, 1, 1, Duration.ZERO, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dirCacheTime");
        assertThatThrownBy(() -> new CacheConfig(Duration.ZERO, 1, 1, -1, Duration.ZERO, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segmentCacheBytes");
    }
}
