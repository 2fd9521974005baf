package org.lafsfs.core.crypto;

import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RSA-2048 keys made ahead of need. Every new mutable file and directory
 * needs one, and making one takes ~100 ms of CPU: a burst of mkdirs (untar,
 * restic init) would otherwise wait for each in turn. A background thread
 * keeps a few ready and stops when it has them, so an idle client spends
 * nothing.
 */
public final class KeyPool {
    private static final int READY = 4;
    private static final BlockingQueue<SigningKey> ready = new ArrayBlockingQueue<>(READY);
    private static final AtomicBoolean filling = new AtomicBoolean();
    private static final AtomicLong madeAhead = new AtomicLong();
    private static final ExecutorService filler = daemonThread("lafsfs-rsa-keys", Thread.MIN_PRIORITY);

    /**
     * Keys already claimed from the disk stash: a claim renames, reads and deletes a file, and under upload load
     * each of those waits for the filesystem's journal (about a millisecond per mkdir of an untar). Claimed ahead
     * on a thread of their own, they are off the taker's path; a crash loses them, as it may lose any key
     * claimed, and they were never used.
     */
    private static final int CLAIMED = 8;
    private static final BlockingQueue<Claimed> claimed = new ArrayBlockingQueue<>(CLAIMED);
    private static final AtomicBoolean claiming = new AtomicBoolean();
    private static final ReentrantLock claimLock = new ReentrantLock();
    private static final ExecutorService claimer = daemonThread("lafsfs-key-stash", Thread.NORM_PRIORITY);

    private static volatile KeyStash stash;

    /** A key claimed from a stash: handed out while that stash is the one in use. */
    private record Claimed(KeyStash from, SigningKey key) {
    }

    private KeyPool() {
    }

    private static ExecutorService daemonThread(String name, int priority) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.setPriority(priority);
            return t;
        });
    }

    /** Also draws on keys made earlier and kept on disk (a long-running lafsfs's idle time); null: none. */
    public static void use(KeyStash onDisk) {
        stash = onDisk;
    }

    /**
     * A fresh key pair: one from the disk stash if it has one (made in idle time: nothing is made now), else one
     * made ahead in memory, else one made now. Each key is handed out once.
     */
    public static SigningKey take() {
        KeyStash onDisk = stash;
        if (onDisk != null) {
            SigningKey ahead = claimedFrom(onDisk);
            claimAhead(onDisk);
            if (ahead != null) {
                return ahead;
            }
            Optional<SigningKey> kept = onDisk.take();
            if (kept.isPresent()) {
                // While the disk has keys a burst takes those: making more in memory now would compete for the
                // CPU with the work the burst is part of (an untar's files and their uploads).
                return kept.get();
            }
            // The claimer may hold the last key, renamed but not yet handed over: wait for its claim under way
            // (a file read at most; none if it is idle), not for a claim that finds nothing.
            claimLock.lock();
            claimLock.unlock();
            ahead = claimedFrom(onDisk);
            if (ahead != null) {
                return ahead;
            }
        }
        SigningKey key = ready.poll();
        refill();
        return key != null ? key : SigningKey.generate();
    }

    /** How many keys are claimed from the stash, ready in memory (for tests). */
    static int claimedAhead() {
        return claimed.size();
    }

    /** A key claimed ahead from {@code onDisk}; those of a stash no longer in use are dropped. */
    private static SigningKey claimedFrom(KeyStash onDisk) {
        for (Claimed c; (c = claimed.poll()) != null; ) {
            if (c.from() == onDisk) {
                return c.key();
            }
        }
        return null;
    }

    private static void claimAhead(KeyStash onDisk) {
        if (claiming.compareAndSet(false, true)) {
            claimer.execute(() -> {
                try {
                    while (claimed.remainingCapacity() > 0 && stash == onDisk) {
                        claimLock.lock();
                        try {
                            Optional<SigningKey> key = onDisk.take();
                            if (key.isEmpty()) {
                                return;
                            }
                            claimed.offer(new Claimed(onDisk, key.get()));
                        } finally {
                            claimLock.unlock();
                        }
                    }
                } finally {
                    claiming.set(false);
                }
            });
        }
    }

    /** How many keys the background thread has made (for tests). */
    static long madeAhead() {
        return madeAhead.get();
    }

    /** Whether the background thread is making keys (for tests). */
    static boolean filling() {
        return filling.get();
    }

    private static void refill() {
        if (filling.compareAndSet(false, true)) {
            filler.execute(() -> {
                try {
                    while (ready.remainingCapacity() > 0) {
                        ready.offer(SigningKey.generate());
                        madeAhead.incrementAndGet();
                    }
                } finally {
                    filling.set(false);
                }
            });
        }
    }
}
