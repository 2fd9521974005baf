package org.lafsfs.vfs;

import java.time.Duration;

/**
 * How fast this VFS's uploads have gone lately. A close in safe mode waits up to {@code closeWait} for its
 * upload; when the pace says the upload will take longer than that, waiting could only end in the timeout, so
 * the close waits just until the shares are placed (a 1 GiB put then answers in seconds, not in
 * {@code closeWait} plus seconds). Unknown until a large enough upload has finished: until then closes wait.
 */
final class UploadPace {
    /** Smaller uploads measure latency (placement, the record, the relink) more than pace. */
    static final long MIN_SAMPLE = 1 << 20;
    /**
     * An upload expected to need more than this share of the wait counts as outlasting it. The estimates
     * leave out the last steps (trailers, the servers' flushes, the relink), and a close that sits out its
     * whole wait only to time out is the worst of both: slow, and nothing to report.
     */
    static final double MARGIN = 0.75;

    private double bytesPerSecond = Double.NaN;

    /** An upload of {@code bytes} took {@code nanos}, from its start on a worker to its end on the grid. */
    synchronized void record(long bytes, long nanos) {
        if (bytes < MIN_SAMPLE || nanos <= 0) {
            return;
        }
        double rate = bytes / (nanos / 1e9);
        // Half the weight to the newest upload: follows a grid that got slower (or faster) within a few files.
        bytesPerSecond = Double.isNaN(bytesPerSecond) ? rate : (bytesPerSecond + rate) / 2;
    }

    /** Whether uploading {@code bytes} is expected to take longer than {@code wait} (false while unknown). */
    synchronized boolean outlasts(long bytes, Duration wait) {
        return !Double.isNaN(bytesPerSecond) && bytes / bytesPerSecond > MARGIN * wait.toNanos() / 1e9;
    }

    /** Bytes per second, or NaN while no upload has been measured. */
    synchronized double bytesPerSecond() {
        return bytesPerSecond;
    }
}
