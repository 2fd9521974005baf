package org.lafsfs.core.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.mutable.Mode;
import org.lafsfs.core.mutable.MutableKeys;
import org.lafsfs.core.mutable.MutableVerifier;
import org.lafsfs.core.mutable.Servermap;
import org.lafsfs.core.mutable.ServermapUpdater;
import org.lafsfs.core.mutable.SignedPrefix;

/**
 * Checks a mutable file (or directory) as Tahoe's mutable checker does: a
 * servermap update that asks every server (MODE_CHECK) and, with verify,
 * {@link MutableVerifier} over every share it found. Healthy means exactly
 * one recoverable version, no unrecoverable ones (a stale share left from an
 * older version is one), and all N shares of the best version present.
 */
final class MutableChecker {
    private final Grid grid;
    private final Cap cap;
    private final MutableKeys keys;

    MutableChecker(Grid grid, Cap cap) {
        this.grid = grid;
        this.cap = cap;
        this.keys = MutableKeys.of(cap);
    }

    MutableKeys keys() {
        return keys;
    }

    /** The results, and the servermap they came from (what a repair publishes over). */
    record Outcome(CheckResults results, Servermap map) {
    }

    Outcome check(boolean verify, boolean addLease) {
        Servermap map = new ServermapUpdater(grid, keys).update(Mode.CHECK);
        Map<SignedPrefix, Map<Integer, List<GridServer>>> versions = new TreeMap<>(Comparator.reverseOrder());
        List<ShareLocator> corrupt = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<GridServer> responding = new ArrayList<>();
        List<GridServer> holders = new ArrayList<>();
        map.answers().values().forEach(r -> {
            if (!r.failed()) {
                responding.add(r.server());
                if (!r.shares().isEmpty()) {
                    holders.add(r.server());
                }
            }
        });
        if (verify) {
            MutableVerifier.Report report = new MutableVerifier(grid, keys).verify(map);
            problems.addAll(report.serverErrors());
            for (MutableVerifier.VersionReport v : report.versions()) {
                Map<Integer, List<GridServer>> shares = versions.computeIfAbsent(v.version(), x -> new TreeMap<>());
                v.goodShares().forEach(s -> shares.computeIfAbsent(s.shnum(), x -> new ArrayList<>()).add(s.server()));
            }
            report.badShares().forEach(s -> corrupt.add(new ShareLocator(s.server(), keys.storageIndex(), s.shnum(),
                    String.join("; ", s.problems()))));
        } else {
            map.versions().forEach((version, locations) -> {
                Map<Integer, List<GridServer>> shares = versions.computeIfAbsent(version, x -> new TreeMap<>());
                locations.forEach(l -> shares.computeIfAbsent(l.share().shnum(), x -> new ArrayList<>())
                        .add(l.server()));
            });
            map.answers().values().forEach(r -> {
                if (r.failed()) {
                    problems.add(r.server().name() + " did not answer: " + r.error().getMessage());
                    return;
                }
                r.shares().values().stream().filter(s -> !s.good()).forEach(s -> {
                    corrupt.add(new ShareLocator(r.server(), keys.storageIndex(), s.shnum(), s.problem()));
                    r.server().storage().adviseCorruptMutable(keys.storageIndex(), s.shnum(), s.problem())
                            .exceptionally(e -> null);
                });
            });
        }
        if (addLease) {
            problems.addAll(Leases.renew(grid, keys.storageIndex(), holders));
        }
        return new Outcome(results(versions, corrupt, problems, responding), map);
    }

    private CheckResults results(Map<SignedPrefix, Map<Integer, List<GridServer>>> versions,
            List<ShareLocator> corrupt, List<String> problems, List<GridServer> responding) {
        List<SignedPrefix> recoverable = new ArrayList<>();
        List<SignedPrefix> unrecoverable = new ArrayList<>();
        versions.forEach((v, shares) -> (shares.size() >= v.k() ? recoverable : unrecoverable).add(v));
        List<String> summary = new ArrayList<>();
        boolean healthy = true;
        if (!unrecoverable.isEmpty()) {
            healthy = false;
            summary.add("some versions are unrecoverable");
            unrecoverable.forEach(v -> problems.add("unrecoverable version " + describe(v) + ": "
                    + count(versions.get(v)) + " shares " + versions.get(v).keySet()));
        }
        if (recoverable.isEmpty()) {
            healthy = false;
            summary.add("no versions are recoverable");
        } else if (recoverable.size() > 1) {
            healthy = false;
            summary.add("multiple versions are recoverable");
        }
        // The counters describe the best version: the newest recoverable one, else the newest seen.
        SignedPrefix best = !recoverable.isEmpty() ? recoverable.get(0)
                : !unrecoverable.isEmpty() ? unrecoverable.get(0) : null;
        Map<Integer, List<GridServer>> bestShares = best == null ? Map.of() : versions.get(best);
        int k = best == null ? grid.params().needed() : best.k();
        int n = best == null ? grid.params().total() : best.n();
        if (!recoverable.isEmpty() && bestShares.size() < n) {
            healthy = false;
            summary.add(bestShares.size() + " shares (enc " + k + "-of-" + n + ")");
        }
        if (!corrupt.isEmpty()) {
            summary.add("corrupt shares: " + corrupt.stream().map(c -> c.server().name() + "-sh" + c.shnum()).toList());
        }
        int wrong = 0;
        Map<String, List<GridServer>> sharemap = new LinkedHashMap<>();
        for (Map.Entry<SignedPrefix, Map<Integer, List<GridServer>>> v : versions.entrySet()) {
            if (!v.getKey().equals(best)) {
                wrong += count(v.getValue());
            }
            v.getValue().forEach((shnum, servers) -> sharemap.put(describe(v.getKey()) + "-sh" + shnum, servers));
        }
        Set<GridServer> hosts = new HashSet<>();
        bestShares.values().forEach(hosts::addAll);
        // Happiness is counted over the best version only: shares of other versions cannot help read it.
        return new CheckResults(cap, keys.storageIndex(), healthy, !recoverable.isEmpty(), Happiness.of(bestShares),
                k, n, bestShares.size(), hosts.size(), recoverable.size(), unrecoverable.size(), wrong, responding,
                sharemap, corrupt, healthy ? "Healthy" : "Unhealthy: " + String.join(" ", summary), problems);
    }

    private static int count(Map<Integer, List<GridServer>> shares) {
        return shares.values().stream().mapToInt(List::size).sum();
    }

    /** Tahoe's short name for a version: seqN-ROOT, the root hash's first four base32 characters. */
    static String describe(SignedPrefix v) {
        return "seq" + v.seqnum() + "-" + Base32.encode(v.rootHash()).substring(0, 4);
    }
}
