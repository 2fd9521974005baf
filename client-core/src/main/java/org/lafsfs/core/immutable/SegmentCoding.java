package org.lafsfs.core.immutable;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The threads that encode and decode segments off the caller's thread: one per core, shared by every
 * upload and download, so that concurrent transfers queue for the cores rather than multiply threads.
 * Tasks are pure computation (they never wait for another task here).
 */
final class SegmentCoding {
    /** Threads, and how many segments one transfer keeps being coded at once. */
    static final int PARALLELISM = Math.max(2, Runtime.getRuntime().availableProcessors());

    static final ExecutorService POOL = Executors.newFixedThreadPool(PARALLELISM, r -> {
        Thread t = new Thread(r, "chk-coding");
        t.setDaemon(true);
        return t;
    });

    private SegmentCoding() {
    }
}
