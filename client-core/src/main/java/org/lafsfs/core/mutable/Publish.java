package org.lafsfs.core.mutable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.storage.ReadTestWriteResult;
import org.lafsfs.core.storage.ReadVector;
import org.lafsfs.core.storage.StorageException;
import org.lafsfs.core.storage.TestWriteVectors;

/**
 * Writes one new version of a mutable file (Tahoe's Publish), with the rules
 * #546 taught:
 * <ul>
 * <li>Every share a servermap found, of any version, is overwritten in place;
 * share numbers found nowhere go to servers in permuted order, fewest shares first.
 * <li>Every write is test-and-set: it names what it expects to find (the
 * checkstring the servermap saw, or no share), so nothing is ever written blind.
 * <li>A failed test is a surprise, not at once an error: a share already
 * holding this very version is fine; a stale older share on a server the
 * servermap did not ask is superseded; anything else is another writer at work,
 * and the publish ends in {@link UncoordinatedWriteException}.
 * <li>A server that refuses or fails a write gets its share placed elsewhere.
 * </ul>
 * The servermap is updated with every share written, so it stays a true
 * record of where the new version lives.
 */
public final class Publish {
    private static final TestWriteVectors.Test NO_SHARE = new TestWriteVectors.Test(0, 1, new byte[0]);
    private static final List<ReadVector> READ_CHECKSTRING =
            List.of(new ReadVector(0, SignedPrefix.MAX_CHECKSTRING_LENGTH));

    private final Grid grid;
    private final MutableKeys keys;
    private final Servermap map;

    public Publish(Grid grid, MutableKeys keys, Servermap map) {
        this.grid = grid;
        this.keys = keys;
        this.map = map;
    }

    /** One write to make: a share number at a server, expecting {@code expected} there (null: no share). */
    private record Target(int rank, int shnum, byte[] expected) {
    }

    private record Outcome(Target target, ReadTestWriteResult result, Throwable error) {
    }

    /**
     * Publishes {@code version}; returns where each share went (share number to server names).
     *
     * @throws UncoordinatedWriteException if another writer changed the file since the servermap update
     * @throws MutableFileException if some share number could not be placed on any server
     */
    public Map<Integer, List<String>> publish(MutableEncoder.EncodedVersion version)
            throws UncoordinatedWriteException, MutableFileException {
        SignedPrefix prefix = version.prefix();
        byte[] ours = prefix.checkstring();
        List<GridServer> servers = map.permuted();
        Map<Integer, List<String>> placed = new TreeMap<>();
        Map<Integer, Integer> load = new HashMap<>(); // shares we are placing per server rank
        Set<Integer> brokenServers = new HashSet<>();
        Map<Integer, Set<Integer>> triedFor = new HashMap<>(); // shnum -> ranks tried
        List<String> failures = new ArrayList<>();
        String conflict = null;

        List<Target> pending = new ArrayList<>();
        Set<Integer> covered = new HashSet<>();
        map.answers().forEach((rank, record) -> {
            if (record.failed()) {
                brokenServers.add(rank);
                return;
            }
            record.shares().forEach((shnum, share) -> {
                if (shnum < prefix.n()) {
                    pending.add(new Target(rank, shnum, share.checkstring()));
                    covered.add(shnum);
                    load.merge(rank, 1, Integer::sum);
                    triedFor.computeIfAbsent(shnum, s -> new HashSet<>()).add(rank);
                }
            });
        });
        for (int shnum = 0; shnum < prefix.n(); shnum++) {
            if (!covered.contains(shnum)) {
                Target t = place(shnum, load, brokenServers, triedFor);
                if (t == null) {
                    failures.add("share " + shnum + ": no server to hold it");
                } else {
                    pending.add(t);
                }
            }
        }

        while (!pending.isEmpty()) {
            List<CompletableFuture<Outcome>> writes = new ArrayList<>();
            for (Target t : pending) {
                writes.add(write(servers.get(t.rank()), t, version));
            }
            pending.clear();
            for (CompletableFuture<Outcome> w : writes) {
                Outcome o = w.join();
                Target t = o.target();
                GridServer server = servers.get(t.rank());
                if (o.error() != null) {
                    // The server is gone or full: it keeps nothing of ours; its share goes elsewhere.
                    brokenServers.add(t.rank());
                    load.merge(t.rank(), -1, Integer::sum);
                    failures.add(server.name() + " share " + t.shnum() + ": " + o.error().getMessage());
                    retryElsewhere(t.shnum(), placed, pending, load, brokenServers, triedFor);
                    continue;
                }
                if (!map.asked(t.rank())) {
                    supersedeStale(t, o.result(), prefix, pending, triedFor);
                }
                if (o.result().success()) {
                    accept(t, server, prefix, placed);
                    continue;
                }
                byte[] found = current(o.result(), t.shnum());
                if (startsWith(found, ours)) {
                    accept(t, server, prefix, placed); // a surprise that is exactly what we publish
                } else if (!map.asked(t.rank()) && olderThan(found, prefix)) {
                    // A stale share the servermap never saw: supersede it, now that we know what is there.
                    pending.add(new Target(t.rank(), t.shnum(), found));
                } else {
                    conflict = server.name() + " share " + t.shnum() + " holds " + describe(found) + ", expected "
                            + describe(t.expected());
                }
            }
            if (conflict != null) {
                break;
            }
        }
        if (conflict != null) {
            throw new UncoordinatedWriteException("another writer changed mutable file " + keys.storageIndex()
                    + " during our publish of " + prefix + ": " + conflict);
        }
        if (placed.size() < prefix.n()) {
            throw new MutableFileException("published only " + placed.size() + " of " + prefix.n()
                    + " shares of " + prefix + ": " + failures);
        }
        return placed;
    }

    /**
     * A server the servermap never asked answers every write with what all its
     * shares of the file hold: older shares under other numbers are stale
     * copies nobody knew of, and get this version too.
     */
    private void supersedeStale(Target t, ReadTestWriteResult result, SignedPrefix prefix, List<Target> pending,
            Map<Integer, Set<Integer>> triedFor) {
        result.data().forEach((shnum, reads) -> {
            byte[] found = reads.isEmpty() ? new byte[0] : reads.get(0);
            Set<Integer> tried = triedFor.computeIfAbsent(shnum, s -> new HashSet<>());
            if (shnum != t.shnum() && shnum < prefix.n() && olderThan(found, prefix) && tried.add(t.rank())) {
                pending.add(new Target(t.rank(), shnum, found));
            }
        });
    }

    private void accept(Target t, GridServer server, SignedPrefix prefix, Map<Integer, List<String>> placed) {
        placed.computeIfAbsent(t.shnum(), s -> new ArrayList<>()).add(server.name());
        map.recordShare(t.rank(), new Servermap.ShareRecord(t.shnum(), prefix, prefix.checkstring(), null, null));
    }

    private void retryElsewhere(int shnum, Map<Integer, List<String>> placed, List<Target> pending,
            Map<Integer, Integer> load, Set<Integer> broken, Map<Integer, Set<Integer>> triedFor) {
        if (placed.containsKey(shnum) || pending.stream().anyMatch(p -> p.shnum() == shnum)) {
            return;
        }
        Target t = place(shnum, load, broken, triedFor);
        if (t != null) {
            pending.add(t);
        }
    }

    /**
     * Chooses a server for a share number nobody holds: the least loaded working
     * server in permuted order that has not had it yet. Servers the servermap did
     * not ask come after those it did, and get a write that expects no share.
     */
    private Target place(int shnum, Map<Integer, Integer> load, Set<Integer> broken,
            Map<Integer, Set<Integer>> triedFor) {
        Set<Integer> tried = triedFor.computeIfAbsent(shnum, s -> new HashSet<>());
        Integer best = null;
        for (int rank = 0; rank < map.permuted().size(); rank++) {
            if (broken.contains(rank) || tried.contains(rank)) {
                continue;
            }
            if (best == null || key(rank, load) < key(best, load)) {
                best = rank;
            }
        }
        if (best == null) {
            return null;
        }
        tried.add(best);
        load.merge(best, 1, Integer::sum);
        return new Target(best, shnum, null);
    }

    private long key(int rank, Map<Integer, Integer> load) {
        long asked = map.asked(rank) ? 0 : 1;
        return ((long) load.getOrDefault(rank, 0) << 32) | (asked << 20) | rank;
    }

    private CompletableFuture<Outcome> write(GridServer server, Target t, MutableEncoder.EncodedVersion version) {
        TestWriteVectors.Test test = t.expected() == null ? NO_SHARE
                : new TestWriteVectors.Test(0, t.expected().length, t.expected());
        TestWriteVectors vectors = new TestWriteVectors(List.of(test), version.writes().get(t.shnum()),
                version.shareLength());
        try {
            return server.storage()
                    .readTestWrite(keys.storageIndex(), keys.writeEnabler(server.nodeId()),
                            grid.secrets().leaseFor(keys.storageIndex(), server), Map.of(t.shnum(), vectors),
                            READ_CHECKSTRING)
                    .handle((result, error) -> new Outcome(t, result, error == null ? null
                            : ServermapUpdater.unwrap(error)));
        } catch (StorageException e) {
            return CompletableFuture.completedFuture(new Outcome(t, null, e));
        }
    }

    private static byte[] current(ReadTestWriteResult result, int shnum) {
        List<byte[]> reads = result.data().get(shnum);
        return reads == null || reads.isEmpty() ? new byte[0] : reads.get(0);
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static boolean olderThan(byte[] found, SignedPrefix ours) {
        return seqnumOf(found) >= 0 && seqnumOf(found) < ours.seqnum();
    }

    /** The sequence number a checkstring names, or -1 if it is no share or not a mutable share. */
    private static long seqnumOf(byte[] checkstring) {
        if (checkstring == null || checkstring.length < 9 || (checkstring[0] != 0 && checkstring[0] != 1)) {
            return -1;
        }
        return java.nio.ByteBuffer.wrap(checkstring, 1, 8).getLong();
    }

    private static String describe(byte[] checkstring) {
        if (checkstring == null || checkstring.length == 0) {
            return "no share";
        }
        long seqnum = seqnumOf(checkstring);
        return seqnum < 0 ? "an unreadable share" : "a share of seqnum " + seqnum;
    }
}
