package org.lafsfs.core.crypto;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

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
    private static final ExecutorService filler = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lafsfs-rsa-keys");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });

    private static volatile KeyStash stash;

    private KeyPool() {
    }

    /** Also draws on keys made earlier and kept on disk (a long-running lafsfs's idle time); null: none. */
    public static void use(KeyStash onDisk) {
        stash = onDisk;
    }

    /**
     * A fresh key pair: one made ahead in memory if there is one, else one from the disk stash, else made
     * now. Each key is handed out once.
     */
    public static SigningKey take() {
        SigningKey key = ready.poll();
        KeyStash onDisk = stash;
        if (key == null && onDisk != null) {
            key = onDisk.take().orElse(null);
            if (key != null) {
                return key; // while the disk has keys, a burst is not slowed by making more in memory
            }
        }
        refill();
        return key != null ? key : SigningKey.generate();
    }

    private static void refill() {
        if (filling.compareAndSet(false, true)) {
            filler.execute(() -> {
                try {
                    while (ready.remainingCapacity() > 0) {
                        ready.offer(SigningKey.generate());
                    }
                } finally {
                    filling.set(false);
                }
            });
        }
    }
}
