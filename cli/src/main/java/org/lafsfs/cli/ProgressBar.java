package org.lafsfs.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar on standard error, drawn only when the command runs
 * at a terminal (so nothing is added to pipes, scripts or logs).
 */
final class ProgressBar implements java.util.function.LongConsumer, AutoCloseable {
    private static final int WIDTH = 30;
    private final PrintStream err = System.err;
    private final String label;
    private final long total;
    private final long started = System.nanoTime();
    private final boolean enabled = System.console() != null;
    private long lastDrawn;

    ProgressBar(String label, long total) {
        this.label = label;
        this.total = Math.max(1, total);
    }

    @Override
    public void accept(long done) {
        long now = System.nanoTime();
        if (!enabled || (now - lastDrawn < 100_000_000L && done < total)) {
            return;
        }
        lastDrawn = now;
        int filled = (int) (WIDTH * Math.min(done, total) / total);
        double seconds = Math.max(1e-3, (now - started) / 1e9);
        err.printf("\r%s [%s%s] %3d%% %,d / %,d MiB  %.1f MB/s", label, "#".repeat(filled), " ".repeat(WIDTH - filled),
                100 * Math.min(done, total) / total, done >> 20, total >> 20, done / seconds / 1e6);
        err.flush();
    }

    @Override
    public void close() {
        if (enabled && lastDrawn != 0) {
            err.println();
        }
    }
}
