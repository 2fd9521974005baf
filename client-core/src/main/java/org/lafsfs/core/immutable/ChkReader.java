package org.lafsfs.core.immutable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.crypto.AesCtr;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.fec.Zfec;
import org.lafsfs.core.hashtree.BadHashException;
import org.lafsfs.core.hashtree.IncompleteHashTree;
import org.lafsfs.core.hashtree.NotEnoughHashesException;
import org.lafsfs.core.storage.StorageException;
import org.lafsfs.core.storage.StorageServer;

/**
 * Random-access reads of a CHK file from whichever servers hold its shares.
 *
 * <p>Every byte returned has been verified: the URI extension block against
 * the cap, each share's block hash tree against the share hash tree in the
 * UEB, each block against its share's tree, and each decoded segment against
 * the crypttext hash tree. A share that fails a check is reported to its
 * server (advise-corrupt) and replaced by another; a server that fails is
 * dropped. Reading bytes [a, b) fetches only the segments covering them.
 * A reader moving forward gets the next {@link #AHEAD} segments fetched and
 * decoded on the coding threads while it uses the current one. Memory is
 * that many segments (blocks and plaintext) per reader, whatever the file's
 * size. Safe from several threads (threads reading far apart in one reader
 * move its window back and forth: segments decoded ahead for one are
 * dropped by the other, and work is wasted, not memory).
 */
public final class ChkReader {
    private final ChkCap cap;
    private final StorageIndex si;
    private final List<StorageServer> servers;
    private final int k;
    private final Map<Integer, List<StorageServer>> holders = new TreeMap<>();
    private final Set<String> problems = new java.util.LinkedHashSet<>();

    private UriExtension ueb;
    private int segmentSize;
    private int numSegments;
    private int tailSize;
    private int paddedTailSize;
    private IncompleteHashTree shareTree;
    private IncompleteHashTree crypttextTree;
    private byte[][] storedCrypttextTree;
    /** The share whose copy of the crypttext hash tree is in use, to report it if that copy is wrong. */
    private StorageServer crypttextTreeServer;
    private int crypttextTreeShare;
    private final Map<Integer, Source> active = new LinkedHashMap<>();
    private final Set<String> failed = new HashSet<>();
    /**
     * What a sequential reader gets without waiting, guarded by {@link #slots} (never held while decoding or
     * together with the reader's own lock): the last segment decoded, kept because reads rarely align with
     * segments, and the next {@link #AHEAD} ones, each fetched and decoded on a coding thread while the reader
     * copies out the ones before. Everything else in this class, the shares and their hash trees, is guarded
     * by the reader itself; the hashing and decoding of a segment happen outside both locks.
     */
    private final Object slots = new Object();
    private int cachedSegment = -1;
    private byte[] cachedPlaintext;
    private final TreeMap<Integer, CompletableFuture<byte[]>> ahead = new TreeMap<>();
    /** Where the previous read ended: a read starting there is part of a sequential scan. */
    private long expectedOffset = -1;

    /**
     * Segments a sequential reader has decoded ahead: two per coding thread, so both cores decode while the
     * reader is busy elsewhere (one ahead left a core idle and the reader waiting for each segment).
     */
    public static final int AHEAD = 2 * SegmentCoding.PARALLELISM;

    /** One share on one server, with its verified layout and block hash tree. */
    private record Source(int shareNumber, StorageServer server, ShareLayout layout, IncompleteHashTree blockTree,
            byte[][] storedBlockTree) {
        String id() {
            return server.name() + "#" + shareNumber;
        }
    }

    /** A reader that asks the grid's servers in the file's permuted order, as Tahoe does. */
    public static ChkReader on(org.lafsfs.core.grid.Grid grid, ChkCap cap) {
        return new ChkReader(cap, org.lafsfs.core.storage.ServerPermutation.order(cap.storageIndex().orElseThrow(),
                grid.servers(), org.lafsfs.core.grid.GridServer::permutationSeed).stream()
                .map(org.lafsfs.core.grid.GridServer::storage).toList());
    }

    /** @param servers the servers to ask, in the order to prefer them (Tahoe's permuted order) */
    public ChkReader(ChkCap cap, List<StorageServer> servers) {
        this.cap = cap;
        this.si = cap.storageIndex().orElseThrow();
        this.servers = List.copyOf(servers);
        this.k = cap.neededShares();
    }

    public long size() {
        return cap.size();
    }

    /** Reads {@code length} bytes at {@code offset} (fewer at the end of the file). Safe from several threads. */
    public byte[] read(long offset, int length) throws DownloadException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("bad range " + offset + "+" + length);
        }
        byte[] out = new byte[(int) Math.max(0, Math.min(length, cap.size() - offset))];
        read(offset, out, 0, out.length);
        return out;
    }

    /**
     * As {@link #read(long, int)}, into {@code dst} at {@code at}.
     *
     * @return the bytes read: fewer than {@code length} at the end of the file, 0 past it
     */
    public int read(long offset, byte[] dst, int at, int length) throws DownloadException {
        if (offset < 0 || length < 0 || at < 0 || at + length > dst.length) {
            throw new IllegalArgumentException("bad range " + offset + "+" + length + " into " + at);
        }
        int n = (int) Math.max(0, Math.min(length, cap.size() - offset));
        if (n == 0) {
            return 0;
        }
        synchronized (this) {
            start();
        }
        int first = (int) (offset / segmentSize);
        int last = (int) ((offset + n - 1) / segmentSize);
        boolean scanning;
        synchronized (slots) {
            scanning = offset == expectedOffset;
            expectedOffset = offset + n;
        }
        for (int seg = first; seg <= last; seg++) {
            byte[] plaintext = plaintext(seg, last, scanning);
            long segStart = (long) seg * segmentSize;
            long from = Math.max(offset, segStart);
            long to = Math.min(offset + n, segStart + plaintext.length);
            System.arraycopy(plaintext, (int) (from - segStart), dst, at + (int) (from - offset), (int) (to - from));
        }
        return n;
    }

    /** Segment {@code seg} of a read ending in segment {@code last}; a scanning reader goes on past it. */
    private byte[] plaintext(int seg, int last, boolean scanning) throws DownloadException {
        byte[] plaintext = null;
        CompletableFuture<byte[]> decoding;
        synchronized (slots) {
            if (seg == cachedSegment) {
                plaintext = cachedPlaintext;
            }
            decoding = ahead.get(seg);
        }
        if (plaintext == null && decoding != null) {
            try {
                plaintext = decoding.join();
            } catch (CompletionException e) {
                plaintext = null;
            }
        }
        if (plaintext == null) {
            // A segment that failed ahead would fail the quick way again: it goes the careful way at once,
            // where a bad share is reported and replaced.
            plaintext = decrypt(seg, decoding != null ? checkedSegment(seg) : crypttext(seg));
        }
        // Decode ahead within the range, and past it only for a reader moving sequentially.
        int until = Math.min(numSegments - 1, seg + AHEAD);
        if (!scanning) {
            until = Math.min(until, last);
        }
        Map<Integer, CompletableFuture<byte[]>> toStart = new LinkedHashMap<>();
        synchronized (slots) {
            cachedSegment = seg;
            cachedPlaintext = plaintext;
            ahead.headMap(seg, true).clear();
            ahead.tailMap(seg + AHEAD, false).clear();
            for (int next = seg + 1; next <= until; next++) {
                if (!ahead.containsKey(next)) {
                    CompletableFuture<byte[]> slot = new CompletableFuture<>();
                    ahead.put(next, slot);
                    toStart.put(next, slot);
                }
            }
        }
        toStart.forEach(this::decodeAhead);
        return plaintext;
    }

    /**
     * Fetches segment {@code seg} now and decodes it on a coding thread once its blocks are in, into
     * {@code slot}. The coding threads are shared by every transfer and never wait for I/O, so a segment
     * that fails a check here completes its slot with null: the reader reads it again the careful way, on
     * its own thread.
     */
    private void decodeAhead(int seg, CompletableFuture<byte[]> slot) {
        try {
            Fetch fetch = fetch(seg);
            CompletableFuture.allOf(fetch.blocks().values().toArray(CompletableFuture[]::new)).handleAsync((in, e) -> {
                try {
                    byte[] crypttext = decode(fetch);
                    return slot.complete(crypttext == null ? null : decrypt(seg, crypttext));
                } catch (Throwable failure) {
                    return slot.completeExceptionally(failure);
                }
            }, SegmentCoding.POOL);
        } catch (Throwable failure) {
            slot.completeExceptionally(failure);
        }
    }

    /** Reads the whole file (for small files and tests; large files are read a range at a time). */
    public byte[] readAll() throws DownloadException {
        if (cap.size() > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a " + cap.size() + "-byte file cannot be read into one array");
        }
        return read(0, (int) cap.size());
    }

    // ---- finding and checking shares ----

    private void start() throws DownloadException {
        if (ueb != null) {
            return;
        }
        if (servers.isEmpty()) {
            throw new DownloadException("no storage servers are known, so " + si + " cannot be read");
        }
        Map<StorageServer, CompletableFuture<Set<Integer>>> listings = new LinkedHashMap<>();
        for (StorageServer server : servers) {
            listings.put(server, server.listImmutableShares(si));
        }
        for (Map.Entry<StorageServer, CompletableFuture<Set<Integer>>> e : listings.entrySet()) {
            try {
                for (int shnum : e.getValue().join()) {
                    holders.computeIfAbsent(shnum, x -> new ArrayList<>()).add(e.getKey());
                }
            } catch (CompletionException ex) {
                problems.add(e.getKey().name() + ": " + cause(ex).getMessage());
            }
        }
        while (active.size() < k) {
            Source next = nextSource();
            if (next == null) {
                throw notEnough();
            }
            active.put(next.shareNumber(), next);
        }
    }

    /** The next usable share not yet in use, verified; null when there is none. */
    private Source nextSource() {
        for (Map.Entry<Integer, List<StorageServer>> e : holders.entrySet()) {
            if (active.containsKey(e.getKey())) {
                continue;
            }
            for (StorageServer server : e.getValue()) {
                String id = server.name() + "#" + e.getKey();
                if (failed.contains(id)) {
                    continue;
                }
                try {
                    return open(e.getKey(), server);
                } catch (IOException | RuntimeException ex) {
                    failed.add(id);
                    problems.add(id + ": " + message(ex));
                    if (ex instanceof LayoutInvalidException || ex instanceof IntegrityException) {
                        adviseCorrupt(server, e.getKey(), message(ex));
                    }
                }
            }
        }
        return null;
    }

    /** Reads a share's header, UEB, hash chain and block hash tree, and checks them. */
    private Source open(int shnum, StorageServer server) throws IOException {
        byte[] header = server.readImmutable(si, shnum, 0, ShareLayout.MAX_HEADER_SIZE).join();
        ShareLayout layout = ShareLayout.parse(header);
        byte[] trailer = server.readImmutable(si, shnum, layout.blockHashesOffset(),
                (int) (layout.uriExtensionOffset() - layout.blockHashesOffset() + layout.uriExtensionLengthSize()
                        + 64 * 1024)).join();
        long base = layout.blockHashesOffset();
        byte[] uebBytes = layout.uriExtension(trailer, base);
        if (!Arrays.equals(Hashes.uriExtensionHash(uebBytes), cap.uriExtensionHash())) {
            throw new IntegrityException("its URI extension block does not match the cap");
        }
        if (ueb == null) {
            acceptUriExtension(UriExtension.parse(uebBytes), server, shnum);
        }
        byte[][] storedBlockTree = layout.blockHashTree(trailer, base);
        IncompleteHashTree blockTree = new IncompleteHashTree(numSegments);
        if (storedBlockTree.length != blockTree.size()) {
            throw new IntegrityException("its block hash tree has " + storedBlockTree.length + " nodes, not "
                    + blockTree.size());
        }
        try {
            shareTree.setHashes(layout.shareHashChain(trailer, base), Map.of(shnum, storedBlockTree[0]));
            blockTree.setRoot(storedBlockTree[0]);
        } catch (BadHashException | NotEnoughHashesException e) {
            throw new IntegrityException("its share hash chain does not verify: " + e.getMessage());
        }
        return new Source(shnum, server, layout, blockTree, storedBlockTree);
    }

    private void acceptUriExtension(UriExtension candidate, StorageServer server, int shnum) throws IOException {
        if (candidate.size() != cap.size() || candidate.neededShares() != k
                || candidate.totalShares() != cap.totalShares()) {
            throw new IntegrityException("its URI extension block disagrees with the cap about size or encoding");
        }
        segmentSize = (int) candidate.segmentSize();
        numSegments = (int) candidate.numSegments();
        long tail = cap.size() - (long) (numSegments - 1) * segmentSize;
        if (segmentSize <= 0 || segmentSize % k != 0 || tail <= 0 || tail > segmentSize) {
            throw new IntegrityException("its URI extension block has an impossible segment layout");
        }
        tailSize = (int) tail;
        paddedTailSize = (tailSize + k - 1) / k * k;
        shareTree = new IncompleteHashTree(cap.totalShares());
        crypttextTree = new IncompleteHashTree(numSegments);
        try {
            shareTree.setRoot(candidate.shareRootHash());
            crypttextTree.setRoot(candidate.crypttextRootHash());
        } catch (BadHashException | NotEnoughHashesException e) {
            throw new IllegalStateException(e);
        }
        ShareLayout layout = ShareLayout.parse(server.readImmutable(si, shnum, 0, ShareLayout.MAX_HEADER_SIZE).join());
        storedCrypttextTree = readCrypttextTree(server, shnum, layout);
        crypttextTreeServer = server;
        crypttextTreeShare = shnum;
        ueb = candidate;
    }

    // ---- segments ----

    /** One segment's blocks on their way from the shares in use when they were asked for. */
    private record Fetch(int seg, Map<Integer, Source> sources, Map<Integer, CompletableFuture<byte[]>> blocks) {
    }

    private synchronized Fetch fetch(int seg) {
        int blockSize = blockSize(seg);
        Map<Integer, Source> sources = new LinkedHashMap<>(active);
        Map<Integer, CompletableFuture<byte[]>> blocks = new LinkedHashMap<>();
        for (Source s : sources.values()) {
            blocks.put(s.shareNumber(), s.server().readImmutable(si, s.shareNumber(),
                    s.layout().dataOffset() + (long) seg * (segmentSize / k), blockSize));
        }
        return new Fetch(seg, sources, blocks);
    }

    private int blockSize(int seg) {
        return (seg == numSegments - 1 ? paddedTailSize : segmentSize) / k;
    }

    /**
     * The verified crypttext of a fetched segment, or null if any block is missing or fails a check. The
     * hashing and erasure decoding run on the calling thread with no lock held, so segments decode in
     * parallel; only the checks against the hash trees take the reader's lock. Nothing is reported here:
     * a segment that fails is read again by {@link #checkedSegment}, on the reader's own thread.
     */
    private byte[] decode(Fetch fetch) {
        int seg = fetch.seg();
        int blockSize = blockSize(seg);
        if (fetch.blocks().size() != k) {
            return null;
        }
        Map<Integer, byte[]> blocks = new TreeMap<>();
        Map<Integer, byte[]> blockHashes = new HashMap<>();
        try {
            for (Map.Entry<Integer, CompletableFuture<byte[]>> e : fetch.blocks().entrySet()) {
                byte[] block = e.getValue().join();
                if (block.length != blockSize) {
                    return null;
                }
                blocks.put(e.getKey(), block);
                blockHashes.put(e.getKey(), Hashes.blockHash(block));
            }
        } catch (CompletionException e) {
            return null;
        }
        byte[] segment = join(seg, blocks);
        byte[] leaf = Hashes.crypttextSegmentHash(segment);
        synchronized (this) {
            for (Map.Entry<Integer, byte[]> e : blockHashes.entrySet()) {
                if (!verifyBlockHash(fetch.sources().get(e.getKey()), seg, e.getValue())) {
                    return null;
                }
            }
            return checkCrypttext(seg, leaf, storedCrypttextTree) ? segment : null;
        }
    }

    /** Segment {@code seg}'s verified crypttext, read the quick way and, if that fails, the careful way. */
    private byte[] crypttext(int seg) throws DownloadException {
        byte[] crypttext = decode(fetch(seg));
        return crypttext != null ? crypttext : checkedSegment(seg);
    }

    private byte[] decrypt(int seg, byte[] crypttext) {
        AesCtr.at(cap.key(), (long) seg * segmentSize).process(crypttext);
        return crypttext;
    }

    /**
     * Fetches and checks segment {@code seg} with the shares in use, replacing each share that fails
     * (reported to its server) until k good blocks decode to crypttext that matches the crypttext hash tree.
     */
    private synchronized byte[] checkedSegment(int seg) throws DownloadException {
        int blockSize = blockSize(seg);
        while (true) {
            while (active.size() < k) { // an earlier failure may have left fewer than k
                Source next = nextSource();
                if (next == null) {
                    throw notEnough();
                }
                active.put(next.shareNumber(), next);
            }
            Map<Integer, CompletableFuture<byte[]>> fetches = fetch(seg).blocks();
            Map<Integer, byte[]> good = new TreeMap<>();
            List<Source> bad = new ArrayList<>();
            for (Map.Entry<Integer, CompletableFuture<byte[]>> e : fetches.entrySet()) {
                Source s = active.get(e.getKey());
                try {
                    byte[] block = e.getValue().join();
                    verifyBlock(s, seg, block, blockSize);
                    good.put(e.getKey(), block);
                } catch (CompletionException | IntegrityException ex) {
                    Throwable why = ex instanceof CompletionException ? cause(ex) : ex;
                    problems.add(s.id() + ": " + message(why));
                    if (why instanceof IntegrityException) {
                        adviseCorrupt(s.server(), s.shareNumber(), why.getMessage());
                    }
                    bad.add(s);
                }
            }
            if (bad.isEmpty()) {
                return checkCrypttext(seg, join(seg, good));
            }
            for (Source s : bad) {
                active.remove(s.shareNumber());
                failed.add(s.id());
            }
        }
    }

    private void verifyBlock(Source s, int seg, byte[] block, int blockSize) throws IntegrityException {
        if (block.length != blockSize) {
            throw new IntegrityException("block " + seg + " is " + block.length + " bytes, not " + blockSize);
        }
        if (!verifyBlockHash(s, seg, Hashes.blockHash(block))) {
            throw new IntegrityException("block " + seg + " does not match its hash tree");
        }
    }

    /** Whether a block with this hash belongs at {@code seg} in the share's block hash tree. */
    private boolean verifyBlockHash(Source s, int seg, byte[] blockHash) {
        Map<Integer, byte[]> needed = new HashMap<>();
        for (int node : s.blockTree().neededHashes(seg, false)) {
            needed.put(node, s.storedBlockTree()[node]);
        }
        try {
            s.blockTree().setHashes(needed, Map.of(seg, blockHash));
            return true;
        } catch (BadHashException | NotEnoughHashesException e) {
            return false;
        }
    }

    /** The segment's crypttext from k checked blocks (the primary blocks laid end to end, or decoded). */
    private byte[] join(int seg, Map<Integer, byte[]> blocks) {
        int[] numbers = blocks.keySet().stream().mapToInt(Integer::intValue).toArray();
        byte[][] primary = new Zfec(k, cap.totalShares()).decode(blocks.values().toArray(byte[][]::new), numbers);
        int length = seg == numSegments - 1 ? tailSize : segmentSize;
        byte[] segment = new byte[length];
        int at = 0;
        for (byte[] p : primary) {
            int take = Math.min(p.length, length - at);
            System.arraycopy(p, 0, segment, at, take);
            at += take;
        }
        return segment;
    }

    /**
     * The crypttext, once it matches the crypttext hash tree. Every block verified, so if it does not match,
     * the copy of the tree from the first share is what is wrong: report that share and try the copies the
     * other shares carry.
     */
    private byte[] checkCrypttext(int seg, byte[] segment) throws DownloadException {
        byte[] leaf = Hashes.crypttextSegmentHash(segment);
        if (checkCrypttext(seg, leaf, storedCrypttextTree)) {
            return segment;
        }
        adviseCorrupt(crypttextTreeServer, crypttextTreeShare,
                "its crypttext hash tree does not match the URI extension block");
        for (Source s : active.values()) {
            try {
                byte[][] copy = readCrypttextTree(s.server(), s.shareNumber(), s.layout());
                if (checkCrypttext(seg, leaf, copy)) {
                    storedCrypttextTree = copy;
                    crypttextTreeServer = s.server();
                    crypttextTreeShare = s.shareNumber();
                    return segment;
                }
            } catch (RuntimeException e) {
                problems.add(s.id() + ": " + message(e));
            }
        }
        throw new DownloadException("segment " + seg + " of " + si + " fails its crypttext hash check with"
                + " every share's copy of the crypttext hash tree");
    }

    private boolean checkCrypttext(int seg, byte[] leaf, byte[][] tree) {
        Map<Integer, byte[]> needed = new HashMap<>();
        for (int node : crypttextTree.neededHashes(seg, false)) {
            if (node >= tree.length) {
                return false;
            }
            needed.put(node, tree[node]);
        }
        try {
            crypttextTree.setHashes(needed, Map.of(seg, leaf));
            return true;
        } catch (BadHashException | NotEnoughHashesException e) {
            return false;
        }
    }

    private byte[][] readCrypttextTree(StorageServer server, int shnum, ShareLayout layout) {
        int treeBytes = (int) (layout.blockHashesOffset() - layout.crypttextHashTreeOffset());
        byte[] stored = server.readImmutable(si, shnum, layout.crypttextHashTreeOffset(), treeBytes).join();
        byte[][] tree = new byte[stored.length / 32][];
        for (int i = 0; i < tree.length; i++) {
            tree[i] = Arrays.copyOfRange(stored, i * 32, i * 32 + 32);
        }
        return tree;
    }

    private void adviseCorrupt(StorageServer server, int shnum, String reason) {
        server.adviseCorruptImmutable(si, shnum, reason).exceptionally(e -> null);
    }

    private DownloadException notEnough() {
        Set<Integer> found = holders.keySet();
        return new DownloadException("cannot read " + si + ": " + active.size() + " usable shares of the " + k
                + " needed (shares found: " + found + " on " + servers.size() + " servers"
                + (problems.isEmpty() ? "" : "; problems: " + String.join("; ", problems)) + ")");
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static String message(Throwable t) {
        Throwable c = cause(t);
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    /** A share's bytes failed a hash check. */
    static final class IntegrityException extends IOException {
        private static final long serialVersionUID = 1L;

        IntegrityException(String message) {
            super(message);
        }
    }
}
