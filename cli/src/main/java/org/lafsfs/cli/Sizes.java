package org.lafsfs.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as Tahoe's configuration writes them: 1000, 10k, 5M, 2G, 1T, with B or iB (binary) suffixes. */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("^([0-9]+)\\s*([kmgt]?)(i?)b?$");

    private Sizes() {
    }

    static long parse(String text) {
        Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (examples: 0, 500M, 10G, 1GiB)");
        }
        long base = m.group(3).isEmpty() ? 1000 : 1024;
        int power = "kmgt".indexOf(m.group(2)) + 1;
        long value = Long.parseLong(m.group(1));
        for (int i = 0; i < power; i++) {
            value = Math.multiplyExact(value, base);
        }
        return value;
    }

    /** A byte count for people: 512 B, 3.4 MiB, 12.0 GiB. */
    static String describe(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
