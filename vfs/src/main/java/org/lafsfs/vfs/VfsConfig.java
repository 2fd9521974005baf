package org.lafsfs.vfs;

import java.nio.file.Path;
import java.time.Duration;
import org.lafsfs.cache.CacheConfig;
import org.lafsfs.core.cap.MutableFormat;

/**
 * How a VFS behaves where the grid leaves a choice.
 *
 * @param spoolDir where written files and unpublished directory edits wait, crash-safe, until they are on the grid
 * @param cache cache sizes and times
 * @param newFileFormat null: new files are immutable (CHK/LIT); SDMF or MDMF: new files are mutable
 * @param closeWait how long a close waits for the upload before handing it to the spool (Duration.ZERO: write-back)
 * @param editWindow how long edits to one directory are gathered before one publish carries them all
 * @param convergenceSecret the node's convergence secret for immutable uploads (null: random keys)
 */
public record VfsConfig(Path spoolDir, CacheConfig cache, MutableFormat newFileFormat, Duration closeWait,
        Duration editWindow, byte[] convergenceSecret) {

    /** Safe defaults: immutable new files, close waits up to 10 s for the upload, edits gathered for 200 ms. */
    public static VfsConfig defaults(Path spoolDir, byte[] convergenceSecret) {
        return new VfsConfig(spoolDir, CacheConfig.DEFAULT, null, Duration.ofSeconds(10), Duration.ofMillis(200),
                convergenceSecret);
    }

    /**
     * From tahoe.cfg's {@code [lafsfs]} section: the cache keys (see CacheConfig), {@code close-wait} (e.g.
     * "10s", "0" for write-back), {@code edit-window} (e.g. "200ms"), {@code new-files} ("immutable", "sdmf" or
     * "mdmf"). Missing keys keep the defaults; a bad value is an IllegalArgumentException naming its key.
     */
    public static VfsConfig fromSettings(Path spoolDir, byte[] convergenceSecret, java.util.Map<String, String> section) {
        VfsConfig config = defaults(spoolDir, convergenceSecret).withCache(CacheConfig.fromSettings(section));
        if (section.containsKey("close-wait")) {
            config = config.withCloseWait(duration("close-wait", section.get("close-wait")));
        }
        if (section.containsKey("edit-window")) {
            config = config.withEditWindow(duration("edit-window", section.get("edit-window")));
        }
        String format = section.getOrDefault("new-files", "immutable").strip().toLowerCase(java.util.Locale.ROOT);
        switch (format) {
            case "immutable" -> config = config.withNewFileFormat(null);
            case "sdmf" -> config = config.withNewFileFormat(MutableFormat.SDMF);
            case "mdmf" -> config = config.withNewFileFormat(MutableFormat.MDMF);
            default -> throw new IllegalArgumentException("[lafsfs] new-files must be immutable, sdmf or mdmf, not '"
                    + format + "'");
        }
        return config;
    }

    /** "250ms", "10s", "2m", "1h" or "0". */
    static Duration duration(String key, String text) {
        String t = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("[lafsfs] " + key + " must be a duration like 250ms, 10s or 2m, not '"
                    + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? (n == 0 ? "s" : "") : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("[lafsfs] " + key + " needs a unit (ms, s, m, h): '"
                    + text + "'");
        };
    }

    public VfsConfig withCache(CacheConfig newCache) {
        return new VfsConfig(spoolDir, newCache, newFileFormat, closeWait, editWindow, convergenceSecret);
    }

    public VfsConfig withNewFileFormat(MutableFormat format) {
        return new VfsConfig(spoolDir, cache, format, closeWait, editWindow, convergenceSecret);
    }

    public VfsConfig withCloseWait(Duration wait) {
        return new VfsConfig(spoolDir, cache, newFileFormat, wait, editWindow, convergenceSecret);
    }

    public VfsConfig withEditWindow(Duration window) {
        return new VfsConfig(spoolDir, cache, newFileFormat, closeWait, window, convergenceSecret);
    }

    public VfsConfig withSpoolDir(Path dir) {
        return new VfsConfig(dir, cache, newFileFormat, closeWait, editWindow, convergenceSecret);
    }
}
