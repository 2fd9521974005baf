package org.lafsfs.core.mutable;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.crypto.KeyPool;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.storage.ServerPermutation;

/**
 * A mutable file on a grid, through its cap: read the newest version, replace
 * it, change it with a read-modify-write function (retried when another writer
 * got there first), or, for MDMF, write bytes in place so that only the
 * segments they touch are re-encoded and sent.
 */
public final class MutableFileNode {
    /** How often a read-modify-write is retried after an uncoordinated write before giving up. */
    static final int MAX_ATTEMPTS = 60;

    private final Grid grid;
    private final MutableKeys keys;
    private final ServermapUpdater updater;
    private final java.util.concurrent.atomic.AtomicInteger retries = new java.util.concurrent.atomic.AtomicInteger();

    public MutableFileNode(Grid grid, Cap cap) {
        this(grid, MutableKeys.of(cap));
    }

    private MutableFileNode(Grid grid, MutableKeys keys) {
        this.grid = grid;
        this.keys = keys;
        this.updater = new ServermapUpdater(grid, keys);
    }

    /** Creates a new mutable file (a fresh RSA key, seqnum 1) holding {@code contents}. */
    public static MutableFileNode create(Grid grid, MutableFormat format, byte[] contents)
            throws MutableFileException {
        try {
            return create(grid, MutableKeys.create(format, KeyPool.take()), contents);
        } catch (UncoordinatedWriteException e) {
            throw new MutableFileException("a brand-new mutable file already had shares", e);
        }
    }

    /**
     * Creates the mutable file of keys made earlier (they must hold the signing key): seqnum 1 holding
     * {@code contents}. Throws {@link UncoordinatedWriteException} if some server already has a share of it,
     * as after a crash between creating it and noting that it was.
     */
    public static MutableFileNode create(Grid grid, MutableKeys keys, byte[] contents)
            throws MutableFileException, UncoordinatedWriteException {
        MutableFileNode node = new MutableFileNode(grid, keys);
        // Nobody has shares of a key made a moment ago, so there is nothing to ask; the writes still
        // expect "no share" and would notice if there were one.
        Servermap empty = new Servermap(node.keys.storageIndex(), ServerPermutation.order(node.keys.storageIndex(),
                grid.servers(), GridServer::permutationSeed), Mode.WRITE);
        node.publish(empty, 1, contents);
        return node;
    }

    /**
     * Publishes {@code contents} as the next version over whatever the servers hold, recoverable or not, without
     * reading it: for the one writer of a file who knows its whole contents and holds its signing key (a
     * directory made by the VFS whose creation was cut short, perhaps after fewer than k shares were placed).
     */
    public static MutableFileNode replace(Grid grid, MutableKeys keys, byte[] contents)
            throws MutableFileException, UncoordinatedWriteException {
        if (keys.signingKey().isEmpty()) {
            throw new IllegalArgumentException("replacing a mutable file's contents needs its signing key");
        }
        MutableFileNode node = new MutableFileNode(grid, keys);
        Servermap map = node.servermap(Mode.WRITE);
        node.publish(map, map.highestSeqnum() + 1, contents);
        return node;
    }

    /** How many times an edit through this node met another writer's version and was re-applied. */
    public int uncoordinatedWriteRetries() {
        return retries.get();
    }

    public MutableKeys keys() {
        return keys;
    }

    public Cap writeCap() {
        return keys.writeCap();
    }

    public Cap readCap() {
        return keys.readCap();
    }

    public Servermap servermap(Mode mode) {
        return updater.update(mode);
    }

    /** A reader of the newest recoverable version. */
    public Retrieve reader() throws MutableFileException {
        Servermap map = servermap(Mode.READ);
        return new Retrieve(keys, map, newest(map)).orWhenShort(() -> servermap(Mode.CHECK));
    }

    /** The newest contents; read again if a writer replaces the version mid-read. */
    public byte[] read() throws MutableFileException {
        for (int attempt = 1; ; attempt++) {
            try {
                return reader().readAll();
            } catch (VersionChangedException e) {
                if (attempt == MAX_ATTEMPTS) {
                    throw e;
                }
                backOff(attempt);
            }
        }
    }

    /** Replaces the contents. */
    public void overwrite(byte[] contents) throws MutableFileException {
        modify(old -> contents);
    }

    /**
     * Applies {@code modifier} to the newest contents and publishes the result,
     * reading again and re-applying it whenever another writer changed the file
     * in between. A modifier returning its input unchanged (or null) publishes
     * nothing. Returns the contents published (or found).
     */
    public byte[] modify(UnaryOperator<byte[]> modifier) throws MutableFileException {
        UncoordinatedWriteException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            // The first attempt may trust a remembered map: its test-and-set writes catch anything it missed.
            Servermap remembered = attempt == 1 ? grid.servermaps().get(keys.storageIndex())
                    .filter(m -> m.mode() == Mode.WRITE && m.newestRecoverable().isPresent()).orElse(null) : null;
            Servermap map = remembered != null ? remembered : servermap(Mode.WRITE);
            SignedPrefix version = newest(map);
            byte[] old;
            try {
                old = new Retrieve(keys, map, version).orWhenShort(() -> servermap(Mode.CHECK)).readAll();
            } catch (VersionChangedException e) {
                grid.servermaps().forget(keys.storageIndex());
                retries.incrementAndGet();
                backOff(attempt);
                continue;
            } catch (MutableFileException e) {
                grid.servermaps().forget(keys.storageIndex());
                if (remembered == null) {
                    throw e;
                }
                continue; // the remembered map was out of date: ask the servers
            }
            byte[] updated = modifier.apply(old);
            if (updated == null || Arrays.equals(updated, old) && map.versions().size() == 1) {
                return old;
            }
            try {
                publish(map, map.highestSeqnum() + 1, updated);
                grid.servermaps().put(map); // Publish recorded where the new version went
                return updated;
            } catch (UncoordinatedWriteException e) {
                grid.servermaps().forget(keys.storageIndex());
                last = e;
                retries.incrementAndGet();
                backOff(attempt);
            } catch (MutableFileException e) {
                grid.servermaps().forget(keys.storageIndex());
                throw e;
            }
        }
        throw new MutableFileException("gave up after " + MAX_ATTEMPTS + " uncoordinated writes", last);
    }

    /**
     * Writes {@code data} at {@code offset}, growing the file if needed (a gap
     * reads as zeros). For MDMF only the segments the write touches are
     * re-encoded and written; SDMF, being one segment, is rewritten whole.
     */
    public void write(long offset, byte[] data) throws MutableFileException {
        if (keys.format() == MutableFormat.SDMF) {
            modify(old -> splice(old, offset, data));
            return;
        }
        UncoordinatedWriteException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Servermap map = servermap(Mode.WRITE);
            SignedPrefix version = newest(map);
            if (map.versions().size() != 1 || map.shareNumbers(version).size() < version.n()) {
                // Not every share is at the newest version: an in-place update would leave mixed shares.
                modify(old -> splice(old, offset, data));
                return;
            }
            try {
                updateInPlace(map, version, offset, data);
                return;
            } catch (UncoordinatedWriteException | VersionChangedException e) {
                last = e instanceof UncoordinatedWriteException u ? u : last;
                retries.incrementAndGet();
                backOff(attempt);
            }
        }
        throw new MutableFileException("gave up after " + MAX_ATTEMPTS + " uncoordinated writes", last);
    }

    private void updateInPlace(Servermap map, SignedPrefix version, long offset, byte[] data)
            throws MutableFileException, UncoordinatedWriteException {
        long oldLength = version.dataLength();
        long newLength = Math.max(oldLength, offset + data.length);
        Retrieve retrieve = new Retrieve(keys, map, version);
        MutableEncoder encoder = new MutableEncoder(keys, version.k(), version.n(), newLength, grid.random());
        SignedPrefix shape = encoder.shape();
        long segsize = shape.segmentSize();
        int first = (int) (Math.min(offset, oldLength) / segsize);
        if (oldLength % segsize != 0 && newLength > oldLength) {
            first = Math.min(first, (int) (oldLength / segsize)); // the old short tail grows
        }
        int last = data.length == 0 && newLength == oldLength ? first - 1
                : (int) ((Math.max(offset + data.length, newLength > oldLength ? newLength : 0) - 1) / segsize);
        ensureSigningKey(map, version);
        byte[][][] leaves = new byte[version.n()][shape.segmentCount()][];
        for (Servermap.Location l : map.versions().get(version)) {
            byte[][] old = retrieve.leaves(l);
            for (int seg = 0; seg < Math.min(old.length, shape.segmentCount()); seg++) {
                leaves[l.share().shnum()][seg] = old[seg];
            }
        }
        List<MutableEncoder.Segment> changed = new ArrayList<>();
        for (int seg = first; seg <= last; seg++) {
            long segStart = seg * segsize;
            byte[] plain = new byte[shape.segmentLength(seg)];
            if (segStart < oldLength) {
                byte[] old = retrieve.segment(seg);
                System.arraycopy(old, 0, plain, 0, old.length);
            }
            long from = Math.max(offset, segStart);
            long to = Math.min(offset + data.length, segStart + plain.length);
            if (from < to) {
                System.arraycopy(data, (int) (from - offset), plain, (int) (from - segStart), (int) (to - from));
            }
            MutableEncoder.Segment encoded = encoder.encodeSegment(seg, plain);
            changed.add(encoded);
            for (int s = 0; s < version.n(); s++) {
                leaves[s][seg] = encoded.leafHashes()[s];
            }
        }
        MutableEncoder.EncodedVersion next = encoder.finish(map.highestSeqnum() + 1, leaves, null, changed);
        new Publish(grid, keys, map).publish(next);
    }

    private Map<Integer, List<String>> publish(Servermap map, long seqnum, byte[] contents)
            throws MutableFileException, UncoordinatedWriteException {
        if (map.newestSeen().isPresent() && keys.signingKey().isEmpty()) {
            ensureSigningKey(map, map.newestRecoverable().orElseThrow());
        }
        // A file keeps the encoding it has (as Tahoe's does): a client configured otherwise must not leave
        // the old version's higher-numbered shares behind.
        SignedPrefix current = map.newestRecoverable().orElse(null);
        int k = current != null ? current.k() : grid.params().needed();
        int n = current != null ? current.n() : grid.params().total();
        MutableEncoder encoder = new MutableEncoder(keys, k, n, contents.length, grid.random());
        return new Publish(grid, keys, map).publish(encoder.encode(seqnum, contents));
    }

    /** Recovers the signing key from a share of {@code version} (it is stored there encrypted with the writekey). */
    private void ensureSigningKey(Servermap map, SignedPrefix version) throws MutableFileException {
        if (keys.signingKey().isPresent()) {
            return;
        }
        if (!keys.writable()) {
            throw new MutableFileException("this is a read-only cap: the file cannot be changed through it");
        }
        List<String> problems = new ArrayList<>();
        if (tryUnlock(map, version, problems)) {
            return;
        }
        // A share rewritten between reading its header and its key (another publish) gives a key that does
        // not match; the key itself never changes, so look again with a fresh map.
        Servermap fresh = servermap(Mode.WRITE);
        if (fresh.newestRecoverable().isPresent() && tryUnlock(fresh, fresh.newestRecoverable().get(), problems)) {
            return;
        }
        throw new MutableFileException("could not recover the signing key from any share: " + problems);
    }

    private boolean tryUnlock(Servermap map, SignedPrefix version, List<String> problems) {
        for (Servermap.Location l : map.versions().getOrDefault(version, List.of())) {
            try {
                byte[] head = l.share().head();
                MutableShareLayout layout = MutableShareLayout.parse(head != null ? head : l.server().storage()
                        .readMutable(keys.storageIndex(), l.share().shnum(), 0, MutableShareLayout.MAPUPDATE_READ_LENGTH)
                        .join());
                MutableShareLayout.Field field = layout.encPrivkeyField();
                byte[] encrypted = head != null && field.end() <= head.length ? field.in(head, 0)
                        : field.in(l.server().storage().readMutable(keys.storageIndex(), l.share().shnum(),
                                field.offset(), field.length()).join(), field.offset());
                keys.unlock(encrypted);
                return true;
            } catch (GeneralSecurityException | RuntimeException | org.lafsfs.core.immutable.LayoutInvalidException e) {
                problems.add(l.server().name() + ": " + e.getMessage());
            }
        }
        return false;
    }

    private static SignedPrefix newest(Servermap map) throws MutableFileException {
        return map.newestRecoverable().orElseThrow(() -> new MutableFileException(
                "no recoverable version of mutable file " + map.storageIndex() + " (asked " + map.serversAsked()
                        + " of " + map.permuted().size() + " servers"
                        + (map.problems().isEmpty() ? "" : "; problems: " + map.problems()) + ")"));
    }

    static byte[] splice(byte[] old, long offset, byte[] data) {
        byte[] out = Arrays.copyOf(old, (int) Math.max(old.length, offset + data.length));
        System.arraycopy(data, 0, out, (int) offset, data.length);
        return out;
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 10L * Math.min(attempt, 10)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
