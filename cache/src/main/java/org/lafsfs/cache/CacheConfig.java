package org.lafsfs.cache;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long and how much {@link GridCache} keeps. A zero time or a zero size
 * turns that cache off.
 *
 * @param dirCacheTime how long a mutable directory listing or a mutable file's size is believed without asking
 *     the grid again: how late another client's write may show (rclone's {@code --dir-cache-time} idea)
 * @param maxDirectories how many mutable directory listings are kept
 * @param maxImmutableEntries how many children, summed over all cached immutable directories, are kept
 *     (a directory counts as at least one)
 * @param segmentCacheBytes how many bytes of plaintext segments are kept
 * @param servermapTime how long a servermap is reused before the servers are asked again
 * @param maxServermaps how many servermaps (and, likewise, mutable file sizes) are kept
 */
public record CacheConfig(Duration dirCacheTime, long maxDirectories, long maxImmutableEntries,
        long segmentCacheBytes, Duration servermapTime, long maxServermaps) {

    /** The {@code [lafsfs]} keys {@link #fromSettings} reads. */
    public static final String DIR_CACHE_TIME = "dir-cache-time";
    public static final String DIR_CACHE_SIZE = "dir-cache-size";
    public static final String IMMUTABLE_CACHE_SIZE = "immutable-cache-size";
    public static final String SEGMENT_CACHE_SIZE = "segment-cache-size";
    public static final String SERVERMAP_CACHE_TIME = "servermap-cache-time";
    public static final String SERVERMAP_CACHE_SIZE = "servermap-cache-size";

    /** 5 s for directories, 10,000 directories, 100,000 immutable entries, 64 MiB of segments, 60 s and 10,000 servermaps. */
    public static final CacheConfig DEFAULT = new CacheConfig(Duration.ofSeconds(5), 10_000, 100_000,
            64L * 1024 * 1024, Duration.ofSeconds(60), 10_000);

    public CacheConfig {
        requireNonNegative("dirCacheTime", dirCacheTime);
        requireNonNegative("servermapTime", servermapTime);
        requireNonNegative("maxDirectories", maxDirectories);
        requireNonNegative("maxImmutableEntries", maxImmutableEntries);
        requireNonNegative("segmentCacheBytes", segmentCacheBytes);
        requireNonNegative("maxServermaps", maxServermaps);
    }

    /**
     * Reads the cache settings of tahoe.cfg's {@code [lafsfs]} section; keys not given keep their
     * {@link #DEFAULT} values, and keys that are not about caching are left to their readers.
     * <ul>
     * <li>{@code dir-cache-time}, {@code servermap-cache-time}: a duration: {@code 0} (off), a number of seconds,
     * or numbers with units {@code ms s m h d}, run together ({@code 500ms}, {@code 5s}, {@code 2m},
     * {@code 1m30s}, {@code 1.5h}); ISO-8601 ({@code PT5S}) is accepted too.
     * <li>{@code segment-cache-size}: a size as tahoe.cfg writes sizes (Tahoe's parse_abbreviated_size, as for
     * {@code reserved_space}): {@code K M G T P E} are powers of 1000, {@code Ki Mi Gi ...} powers of 1024, a
     * trailing {@code B} is optional, case does not matter: {@code 64M} is 64,000,000 bytes, {@code 64MiB}
     * is 67,108,864.
     * <li>{@code dir-cache-size}, {@code immutable-cache-size}, {@code servermap-cache-size}: counts, written
     * the same way ({@code 10000}, {@code 10K}).
     * </ul>
     *
     * @throws IllegalArgumentException for a value that cannot be read, naming its key
     */
    public static CacheConfig fromSettings(Map<String, String> lafsfsSection) {
        Objects.requireNonNull(lafsfsSection, "lafsfsSection");
        CacheConfig d = DEFAULT;
        return new CacheConfig(
                duration(lafsfsSection, DIR_CACHE_TIME, d.dirCacheTime()),
                size(lafsfsSection, DIR_CACHE_SIZE, d.maxDirectories()),
                size(lafsfsSection, IMMUTABLE_CACHE_SIZE, d.maxImmutableEntries()),
                size(lafsfsSection, SEGMENT_CACHE_SIZE, d.segmentCacheBytes()),
                duration(lafsfsSection, SERVERMAP_CACHE_TIME, d.servermapTime()),
                size(lafsfsSection, SERVERMAP_CACHE_SIZE, d.maxServermaps()));
    }

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final Pattern DURATION = Pattern.compile("(?:" + DURATION_PART.pattern() + ")+");
    private static final Pattern SECONDS = Pattern.compile("\\d+(?:\\.\\d+)?");
    /** Tahoe's abbreviated size: digits, an optional power prefix, an optional binary "i", an optional "B". */
    private static final Pattern SIZE = Pattern.compile("(\\d+)([KMGTPE]?)(I?)B?");

    /**
     * A duration setting of tahoe.cfg's section: "250ms", "5s", "2m", "12h", "7d", "1h30m", a bare
     * number of seconds, or ISO-8601 ("PT5S"); {@code fallback} when the key is absent. The one reader of
     * durations for every [lafsfs] setting.
     */
    public static Duration duration(Map<String, String> section, String key, Duration fallback) {
        if (!section.containsKey(key)) {
            return fallback;
        }
        String value = value(section, key);
        try {
            if (SECONDS.matcher(value).matches()) {
                return nanos(value, 1_000_000_000L);
            }
            if (DURATION.matcher(value.toLowerCase(Locale.ROOT)).matches()) {
                Duration total = Duration.ZERO;
                Matcher part = DURATION_PART.matcher(value.toLowerCase(Locale.ROOT));
                while (part.find()) {
                    long unit = switch (part.group(2)) {
                        case "ms" -> 1_000_000L;
                        case "s" -> 1_000_000_000L;
                        case "m" -> 60_000_000_000L;
                        case "h" -> 3_600_000_000_000L;
                        default -> 86_400_000_000_000L;
                    };
                    total = total.plus(nanos(part.group(1), unit));
                }
                return total;
            }
            if (value.regionMatches(true, 0, "P", 0, 1)) {
                Duration iso = Duration.parse(value);
                if (!iso.isNegative()) {
                    return iso;
                }
            }
        } catch (ArithmeticException | DateTimeParseException e) {
            throw bad(key, value, "a duration such as 5s, 2m or 0", e);
        }
        throw bad(key, value, "a duration such as 5s, 2m or 0", null);
    }

    /** {@code number} (decimal, may have a fraction) times {@code unit} nanoseconds. */
    private static Duration nanos(String number, long unit) {
        BigDecimal n = new BigDecimal(number).multiply(BigDecimal.valueOf(unit));
        return Duration.ofNanos(n.setScale(0, RoundingMode.HALF_UP).longValueExact());
    }

    private static long size(Map<String, String> section, String key, long fallback) {
        if (!section.containsKey(key)) {
            return fallback;
        }
        String value = value(section, key);
        Matcher m = SIZE.matcher(value.toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw bad(key, value, "a number with an optional K, M, G (x1000) or Ki, Mi, Gi (x1024) suffix", null);
        }
        int power = m.group(2).isEmpty() ? 0 : "KMGTPE".indexOf(m.group(2)) + 1;
        long base = m.group(3).isEmpty() ? 1000L : 1024L;
        try {
            long result = Long.parseLong(m.group(1));
            for (int i = 0; i < power; i++) {
                result = Math.multiplyExact(result, base);
            }
            return result;
        } catch (ArithmeticException | NumberFormatException e) {
            throw bad(key, value, "a size that fits in 63 bits", e);
        }
    }

    private static String value(Map<String, String> section, String key) {
        String value = section.get(key);
        if (value == null || value.isBlank()) {
            throw bad(key, String.valueOf(value), "a value (leave the key out to keep the default)", null);
        }
        return value.strip();
    }

    private static IllegalArgumentException bad(String key, String value, String expected, Throwable cause) {
        return new IllegalArgumentException(
                "[lafsfs] " + key + " = '" + value + "' cannot be read: expected " + expected, cause);
    }

    private static void requireNonNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " cannot be negative: " + d);
        }
    }

    private static void requireNonNegative(String name, long n) {
        if (n < 0) {
            throw new IllegalArgumentException(name + " cannot be negative: " + n);
        }
    }
}
