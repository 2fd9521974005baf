package org.lafsfs.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tahoe's lease checker at work on one bucket (one storage index's
 * directory): it counts every share, and removes a share whose leases have
 * all expired by the {@link ExpirationPolicy} when the policy allows removing
 * shares of its kind. A share with any live lease stays. Like Tahoe, a share
 * with no lease at all has nothing keeping it. Expired leases on a share that
 * stays are left alone: they decide nothing while a live one is there.
 */
final class LeaseExpirer {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseExpirer.class);

    private final StorageBackend backend;
    private final ExpirationPolicy policy;
    private final Clock clock;

    LeaseExpirer(StorageBackend backend, ExpirationPolicy policy, Clock clock) {
        this.backend = backend;
        this.policy = policy;
        this.clock = clock;
    }

    /** Examines the shares in {@code bucketDir}, removing the expired ones; what it saw and did. */
    CycleCounts examineBucket(Path bucketDir) {
        StorageIndex si;
        try {
            si = StorageIndex.parse(bucketDir.getFileName().toString());
        } catch (RuntimeException e) {
            return CycleCounts.ZERO; // not a bucket (Tahoe leaves stray names alone too)
        }
        CycleCounts counts = CycleCounts.ZERO;
        for (var share : shareFiles(bucketDir).entrySet()) {
            Path file = share.getValue();
            try {
                boolean mutable = StorageBackend.isMutable(file);
                counts = counts.examined(mutable, Files.size(file));
                if (!policy.expires(mutable) || !allLeasesExpired(file, mutable)) {
                    continue;
                }
                // Decided again under the lock: a renewal since the look above keeps the share.
                StorageBackend.Removal removal = backend.removeShareIf(si, share.getKey(),
                        (f, m) -> policy.expires(m) && allLeasesExpired(f, m));
                if (removal != null) {
                    LOG.debug("removed {} share {} of {}: every lease expired", mutable ? "mutable" : "immutable",
                            share.getKey(), si);
                    counts = counts.removed(mutable, removal.shareBytes());
                    if (removal.bucketRemoved()) {
                        counts = counts.removedBucket();
                    }
                }
            } catch (NoSuchFileException e) {
                // removed by a client (a mutable share truncated to nothing) while we looked: fine
            } catch (IOException | UncheckedIOException | StorageException e) {
                // An unreadable share is kept: removing what we cannot read could destroy live data.
                LOG.warn("lease crawler could not examine {}, keeping it: {}", file, e.toString());
            }
        }
        return counts;
    }

    private boolean allLeasesExpired(Path file, boolean mutable) throws IOException {
        List<Lease> leases = mutable ? MutableShareFile.open(file).leases() : ImmutableShareFile.open(file).leases();
        Instant now = clock.instant();
        for (Lease lease : leases) {
            if (!policy.hasExpired(lease.expirationTime(), now)) {
                return false;
            }
        }
        return true;
    }

    /** Share number → file, for the numerically named regular files of a bucket. */
    private static TreeMap<Integer, Path> shareFiles(Path bucketDir) {
        TreeMap<Integer, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(bucketDir)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (name.matches("[0-9]{1,3}") && Files.isRegularFile(p)) {
                    files.put(Integer.parseInt(name), p);
                }
            }
        } catch (NoSuchFileException e) {
            return files; // the bucket went meanwhile
        } catch (IOException e) {
            LOG.warn("lease crawler could not list {}: {}", bucketDir, e.toString());
        }
        return files;
    }
}
