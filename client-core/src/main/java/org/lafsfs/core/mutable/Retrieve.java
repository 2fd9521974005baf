package org.lafsfs.core.mutable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.crypto.AesCtr;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.fec.Zfec;
import org.lafsfs.core.hashtree.BadHashException;
import org.lafsfs.core.hashtree.HashTree;
import org.lafsfs.core.hashtree.IncompleteHashTree;
import org.lafsfs.core.hashtree.NotEnoughHashesException;
import org.lafsfs.core.immutable.LayoutInvalidException;

/**
 * Reads one version of a mutable file from the shares a servermap found. Each
 * share is authenticated before use: its block hash tree must hash, through its
 * share hash chain, to the signed root; each block must match its leaf. A share
 * that fails is reported to its server (advise-corrupt) and replaced by another
 * of the same version. Reads are random access, one segment at a time.
 */
public final class Retrieve {
    private final MutableKeys keys;
    private final SignedPrefix version;
    private final List<Servermap.Location> candidates;
    private final Map<Integer, Source> sources = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final Zfec fec;
    private int nextCandidate;
    private int superseded;
    private java.util.function.Supplier<Servermap> wider;

    /** A share in use: where it is, its layout and its authenticated block hashes. */
    private record Source(Servermap.Location location, MutableShareLayout layout, byte[][] leaves) {
    }

    public Retrieve(MutableKeys keys, Servermap map, SignedPrefix version) {
        this.keys = keys;
        this.version = version;
        // Primary shares first: they decode without arithmetic.
        this.candidates = new ArrayList<>(map.versions().getOrDefault(version, List.of()));
        candidates.sort(Comparator.comparingInt((Servermap.Location l) -> l.share().shnum())
                .thenComparingInt(Servermap.Location::rank));
        this.fec = new Zfec(version.k(), version.n());
    }

    /**
     * Where to look when the servermap's shares of this version run out (a
     * READ-mode map holds only k + epsilon of them): asked once, for a fuller map.
     */
    public Retrieve orWhenShort(java.util.function.Supplier<Servermap> fullerMap) {
        this.wider = fullerMap;
        return this;
    }

    public SignedPrefix version() {
        return version;
    }

    public long size() {
        return version.dataLength();
    }

    /** Shares that turned out bad during this retrieve. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    public synchronized byte[] readAll() throws MutableFileException {
        return read(0, (int) Math.min(Integer.MAX_VALUE, version.dataLength()));
    }

    /** Up to {@code length} bytes at {@code offset}; fewer at the end of the file. */
    public synchronized byte[] read(long offset, int length) throws MutableFileException {
        long end = Math.min(version.dataLength(), offset + length);
        if (offset >= end) {
            return new byte[0];
        }
        byte[] out = new byte[(int) (end - offset)];
        long segsize = version.segmentSize();
        for (int seg = (int) (offset / segsize); (long) seg * segsize < end; seg++) {
            byte[] plain = segment(seg);
            long segStart = (long) seg * segsize;
            long from = Math.max(offset, segStart);
            long to = Math.min(end, segStart + plain.length);
            System.arraycopy(plain, (int) (from - segStart), out, (int) (from - offset), (int) (to - from));
        }
        return out;
    }

    /** The plaintext of segment {@code seg}, verified. */
    public synchronized byte[] segment(int seg) throws MutableFileException {
        while (true) {
            fillSources();
            Map<Integer, CompletableFuture<byte[]>> reads = new LinkedHashMap<>();
            int blockSize = version.blockSize(seg);
            int saltLength = version.format() == MutableFormat.MDMF ? SignedPrefix.SALT_LENGTH : 0;
            for (Source s : sources.values()) {
                Servermap.Location l = s.location();
                long at = s.layout().blockOffset(seg) - saltLength;
                reads.put(l.share().shnum(), l.server().storage().readMutable(keys.storageIndex(),
                        l.share().shnum(), at, blockSize + saltLength));
            }
            byte[][] blocks = new byte[version.k()][];
            int[] numbers = new int[version.k()];
            byte[] salt = version.salt();
            int good = 0;
            for (Map.Entry<Integer, CompletableFuture<byte[]>> read : reads.entrySet()) {
                Source source = sources.get(read.getKey());
                try {
                    byte[] data = read.getValue().join();
                    if (data.length != blockSize + saltLength) {
                        throw new LayoutInvalidException("short block: " + data.length + " bytes");
                    }
                    // MDMF hashes salt and block together; SDMF's salt is in the signed prefix.
                    if (!Arrays.equals(Hashes.blockHash(data), source.leaves()[seg])) {
                        throw new BadHashException("block " + seg + " does not match its hash");
                    }
                    if (saltLength > 0) {
                        salt = Arrays.copyOf(data, saltLength);
                    }
                    blocks[good] = Arrays.copyOfRange(data, saltLength, data.length);
                    numbers[good] = read.getKey();
                    good++;
                } catch (Exception e) {
                    drop(source, e);
                }
            }
            if (good == version.k()) {
                byte[][] primary = fec.decode(blocks, numbers);
                int length = version.segmentLength(seg);
                byte[] crypttext = new byte[length];
                for (int i = 0; i < version.k() && i * blockSize < length; i++) {
                    System.arraycopy(primary[i], 0, crypttext, i * blockSize, Math.min(blockSize, length - i * blockSize));
                }
                return AesCtr.crypt(Hashes.sskDataKey(salt, keys.readkey()), crypttext);
            }
        }
    }

    /** Brings the set of authenticated shares up to k distinct share numbers, or fails. */
    private void fillSources() throws MutableFileException {
        while (sources.size() < version.k()) {
            if (nextCandidate >= candidates.size() && wider != null) {
                widen();
            }
            if (nextCandidate >= candidates.size() && superseded > 0) {
                throw new VersionChangedException(version + " was replaced by a newer version while being read ("
                        + superseded + " shares moved on)");
            }
            if (nextCandidate >= candidates.size()) {
                throw new MutableFileException("not enough good shares of " + version + ": have " + sources.size()
                        + ", need " + version.k() + (problems.isEmpty() ? "" : "; problems: " + problems));
            }
            Servermap.Location l = candidates.get(nextCandidate++);
            if (sources.containsKey(l.share().shnum())) {
                continue;
            }
            try {
                sources.put(l.share().shnum(), authenticate(l));
            } catch (Exception e) {
                report(l, e);
            }
        }
    }

    private void widen() {
        Servermap fuller = wider.get();
        wider = null;
        for (Servermap.Location l : fuller.versions().getOrDefault(version, List.of())) {
            boolean known = candidates.stream().anyMatch(c -> c.rank() == l.rank()
                    && c.share().shnum() == l.share().shnum());
            if (!known) {
                candidates.add(l);
            }
        }
    }

    /**
     * The block hashes (one per segment) of any share of this version, checked
     * against the signed root; an MDMF update reuses those of unchanged segments.
     */
    public byte[][] leaves(Servermap.Location location) throws MutableFileException {
        try {
            return authenticate(location).leaves();
        } catch (Exception e) {
            int before = problems.size();
            report(location, e);
            if (problems.size() == before) {
                throw new VersionChangedException(version + " was replaced at share " + location.share().shnum()
                        + " on " + location.server().name());
            }
            throw new MutableFileException("share " + location.share().shnum() + " on " + location.server().name()
                    + " is unusable: " + problems.get(problems.size() - 1), e);
        }
    }

    private Source authenticate(Servermap.Location l) throws Exception {
        byte[] head = l.share().head();
        var storage = l.server().storage();
        int shnum = l.share().shnum();
        if (head == null) {
            head = storage.readMutable(keys.storageIndex(), shnum, 0, MutableShareLayout.MAPUPDATE_READ_LENGTH)
                    .join();
        }
        MutableShareLayout layout = MutableShareLayout.parse(head);
        if (!layout.prefix().equals(version)) {
            throw new Superseded();
        }
        MutableShareLayout.Field chainField = layout.shareHashChainField();
        MutableShareLayout.Field treeField = layout.blockHashTreeField();
        byte[] chain = fieldOf(l, head, chainField);
        byte[] tree = fieldOf(l, head, treeField);
        byte[][] nodes = MutableShareLayout.unpackTree(tree);
        int segments = version.segmentCount();
        int width = 1;
        while (width < segments) {
            width *= 2;
        }
        if (nodes.length != 2 * width - 1) {
            throw new LayoutInvalidException("block hash tree of " + nodes.length + " nodes for " + segments
                    + " segments");
        }
        byte[][] leaves = Arrays.copyOfRange(nodes, width - 1, width - 1 + segments);
        byte[] blockRoot = new HashTree(Arrays.asList(leaves)).root();
        IncompleteHashTree shareTree = new IncompleteHashTree(version.n());
        try {
            shareTree.setRoot(version.rootHash());
            shareTree.setHashes(MutableShareLayout.unpackChain(chain), Map.of(shnum, blockRoot));
        } catch (BadHashException | NotEnoughHashesException e) {
            throw new BadHashException("share hash chain does not reach the signed root: " + e.getMessage());
        }
        return new Source(l, layout, leaves);
    }

    private byte[] fieldOf(Servermap.Location l, byte[] head, MutableShareLayout.Field field) throws Exception {
        if (field.end() <= head.length) {
            return field.in(head, 0);
        }
        byte[] data = l.server().storage().readMutable(keys.storageIndex(), l.share().shnum(), field.offset(),
                field.length()).join();
        return field.in(data, field.offset());
    }

    private void drop(Source source, Exception e) {
        sources.remove(source.location().share().shnum());
        report(source.location(), e);
    }

    /** A share that now holds another version: a writer was here, not corruption. */
    private static final class Superseded extends Exception {
        Superseded() {
            super("the share holds a newer version now", null, false, false);
        }
    }

    private boolean stillHolds(Servermap.Location l) {
        try {
            byte[] now = l.server().storage().readMutable(keys.storageIndex(), l.share().shnum(), 0,
                    SignedPrefix.MAX_CHECKSTRING_LENGTH).join();
            byte[] ours = version.checkstring();
            return now.length >= ours.length && Arrays.equals(now, 0, ours.length, ours, 0, ours.length);
        } catch (RuntimeException e) {
            return true; // cannot tell; treat the failure as the share's
        }
    }

    private void report(Servermap.Location l, Exception e) {
        Throwable cause = ServermapUpdater.unwrap(e);
        if (cause instanceof Superseded
                || (cause instanceof BadHashException || cause instanceof LayoutInvalidException) && !stillHolds(l)) {
            superseded++;
            return;
        }
        String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        problems.add(l.server().name() + " share " + l.share().shnum() + ": " + why);
        if (cause instanceof BadHashException || cause instanceof LayoutInvalidException) {
            l.server().storage().adviseCorruptMutable(keys.storageIndex(), l.share().shnum(), why)
                    .exceptionally(ignored -> null);
        }
    }
}
