package org.lafsfs.core.immutable;

import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.crypto.Sha256d;
import org.lafsfs.core.grid.ClientSecrets;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.storage.Allocation;
import org.lafsfs.core.storage.ServerPermutation;

/**
 * Uploads an immutable file: a literal cap up to 55 bytes (as Tahoe), a CHK
 * file above, with shares placed for servers-of-happiness.
 *
 * <p>Placement visits servers in the permuted order for the file's storage
 * index. Shares a server already holds count as placed (re-uploading is
 * cheap); the rest go one per server before any server gets a second, and a
 * server that refuses (full) or fails is passed over. The upload proceeds only
 * if the shares land on at least {@code happy} distinct servers, and succeeds
 * only if that still holds when every byte is written; otherwise every new
 * share is aborted and the error names each server's problem. Allocation
 * requests go to all chosen servers at once. Segments are encoded on every
 * core (a few at a time) and taken in order; share writes are queued per share
 * and sent in ~1 MB pieces, as Tahoe's uploader does, up to two per share in
 * flight. Memory is a few segments plus 3N write batches whatever the file size.
 */
public final class ChkUploader {
    /** Files of this size or smaller become literal caps (Tahoe's URI_LIT_SIZE_THRESHOLD). */
    public static final int LITERAL_THRESHOLD = 55;
    private static final int WRITE_BATCH = 1_000_000;
    /** Batches per share on their way at once: the next is sent while the server still writes the last. */
    private static final int BATCHES_IN_FLIGHT = 2;
    /** Segments being encoded (or encoded, waiting to be sent) at once in one upload. */
    private static final int ENCODED_AHEAD = 2 * SegmentCoding.PARALLELISM;

    private final List<GridServer> servers;
    private final EncodingParameters params;
    private final byte[] convergenceSecret;
    private final ClientSecrets secrets;
    private final SecureRandom random = new SecureRandom();

    /** @param convergenceSecret null for random keys (no convergence) */
    public ChkUploader(List<GridServer> servers, EncodingParameters params, byte[] convergenceSecret,
            ClientSecrets secrets) {
        this.servers = List.copyOf(servers);
        this.params = params;
        this.convergenceSecret = convergenceSecret == null ? null : convergenceSecret.clone();
        this.secrets = secrets;
    }

    /** What an upload did. */
    public record Result(Cap cap, Map<Integer, String> placement, int sharesAlreadyPresent) {
    }

    public Result upload(UploadSource source) throws IOException {
        return upload(source, done -> { });
    }

    /**
     * Uploads, telling {@code progress} how many bytes of the file have been encoded and sent off so far: 0
     * first, once servers have taken every share (a grid that is down or full has answered by then).
     */
    public Result upload(UploadSource source, java.util.function.LongConsumer progress) throws IOException {
        long size = source.size();
        if (size <= LITERAL_THRESHOLD) {
            try (InputStream in = source.open()) {
                return new Result(new LiteralCap(in.readNBytes((int) size)), Map.of(), 0);
            }
        }
        int k = params.needed();
        int n = params.total();
        int segmentSize = ChkEncoder.segmentSizeFor(size, params.maxSegmentSize(), k);
        byte[] key = convergenceSecret == null ? randomKey() : convergentKey(source, k, n, segmentSize);
        StorageIndex si = StorageIndex.of(Hashes.storageIndex(key));
        ChkEncoder encoder = new ChkEncoder(key, k, n, size, segmentSize);
        ShareLayout layout = encoder.plannedLayout();
        long shareSize = layout.shareSize(encoder.plannedUriExtensionSize());

        Placement placement = place(si, shareSize);
        progress.accept(0);
        Map<Integer, ShareWriter> writers = new TreeMap<>();
        for (Map.Entry<Integer, GridServer> e : placement.fresh.entrySet()) {
            writers.put(e.getKey(), new ShareWriter(si, e.getKey(), e.getValue(), placement.uploadSecret));
        }
        try {
            for (ShareWriter w : writers.values()) {
                w.append(layout.header());
            }
            try (InputStream in = source.open()) {
                Deque<CompletableFuture<ChkEncoder.Encoded>> encoding = new ArrayDeque<>();
                int read = 0;
                try {
                    for (int seg = 0; seg < encoder.numSegments(); seg++) {
                        // Two segments per core encoded ahead, so the cores go on while this thread waits
                        // for servers to take earlier blocks: memory is that many segments and their blocks.
                        for (; read < encoder.numSegments() && encoding.size() < ENCODED_AHEAD; read++) {
                            int number = read;
                            byte[] segment = readSegment(in, encoder, number);
                            encoding.add(CompletableFuture.supplyAsync(() -> encoder.encode(number, segment),
                                    SegmentCoding.POOL));
                        }
                        byte[][] blocks = encoder.accept(joinEncoded(encoding.remove()));
                        for (ShareWriter w : writers.values()) {
                            w.append(blocks[w.shareNumber]);
                        }
                        flushFull(writers);
                        replaceFailed(si, writers, placement, source, key, encoder, seg + 1, layout.header(),
                                shareSize);
                        progress.accept(Math.min(size, (long) (seg + 1) * segmentSize));
                    }
                } finally {
                    encoding.forEach(f -> f.cancel(false)); // on failure: nothing more is wanted
                }
            }
            ChkEncoder.Result result = encoder.finish();
            for (ShareWriter w : writers.values()) {
                w.append(result.trailers().get(w.shareNumber));
                w.flush(true);
            }
            awaitAll(writers);
            for (int round = 0; round < params.total() && anyNewlyFailed(writers); round++) {
                Set<Integer> replaced = replaceFailed(si, writers, placement, source, key, encoder,
                        encoder.numSegments(), layout.header(), shareSize);
                for (int shnum : replaced) {
                    writers.get(shnum).append(result.trailers().get(shnum));
                    writers.get(shnum).flush(true);
                }
                awaitAll(writers);
            }
            for (ShareWriter w : writers.values()) {
                if (!w.failed && !w.complete) {
                    w.fail("the server did not report the share complete");
                }
            }
            checkHappiness(si, placement, writers);
            Map<Integer, String> where = new TreeMap<>();
            placement.existing.forEach((shnum, server) -> where.put(shnum, server.name()));
            writers.forEach((shnum, w) -> {
                if (!w.failed) {
                    where.put(shnum, w.server.name());
                }
            });
            return new Result(result.cap(), where, placement.existing.size());
        } catch (IOException | RuntimeException e) {
            for (ShareWriter w : writers.values()) {
                w.abort();
            }
            throw e;
        }
    }

    private static byte[] readSegment(InputStream in, ChkEncoder encoder, int number) throws IOException {
        int length = (int) Math.min(encoder.segmentSize(), encoder.size() - (long) number * encoder.segmentSize());
        byte[] segment = in.readNBytes(length);
        if (segment.length != length) {
            throw new UploadException("the file shrank while it was being uploaded");
        }
        return segment;
    }

    private static ChkEncoder.Encoded joinEncoded(CompletableFuture<ChkEncoder.Encoded> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    // ---- re-placing shares whose server failed mid-upload ----

    private static boolean anyNewlyFailed(Map<Integer, ShareWriter> writers) {
        return writers.values().stream().anyMatch(w -> w.failed && !w.replaced);
    }

    /**
     * Moves each share whose server failed to another server (one without shares of this file first),
     * re-sending what it had already been sent: the header and the blocks of the first
     * {@code segmentsDone} segments, re-read from the source and re-encoded for that share alone.
     *
     * @return the share numbers now on a new server
     */
    private Set<Integer> replaceFailed(StorageIndex si, Map<Integer, ShareWriter> writers, Placement p,
            UploadSource source, byte[] key, ChkEncoder encoder, int segmentsDone, byte[] header, long shareSize)
            throws IOException {
        Set<Integer> replaced = new java.util.TreeSet<>();
        for (Map.Entry<Integer, ShareWriter> e : writers.entrySet()) {
            ShareWriter failed = e.getValue();
            if (!failed.failed || failed.replaced) {
                continue;
            }
            failed.replaced = true;
            p.problems.put(failed.server.name(), failed.problem);
            p.usable.remove(failed.server);
            p.load.merge(failed.server, -1, Integer::sum);
            GridServer target = allocateSomewhere(si, e.getKey(), p, shareSize);
            if (target == null) {
                continue; // nowhere to go: the final happiness check decides
            }
            ShareWriter moved = new ShareWriter(si, e.getKey(), target, p.uploadSecret);
            moved.append(header);
            resend(moved, source, key, encoder, segmentsDone);
            e.setValue(moved);
            replaced.add(e.getKey());
        }
        return replaced;
    }

    private GridServer allocateSomewhere(StorageIndex si, int shnum, Placement p, long shareSize) {
        while (true) {
            GridServer candidate = leastLoaded(p.usable, p.load);
            if (candidate == null) {
                return null;
            }
            try {
                Allocation a = candidate.storage().allocateBuckets(si, secrets.leaseFor(si, candidate),
                        p.uploadSecret, Set.of(shnum), shareSize).join();
                if (a.allocated().contains(shnum)) {
                    p.load.merge(candidate, 1, Integer::sum);
                    return candidate;
                }
                p.problems.put(candidate.name(), refused(shareSize));
            } catch (CompletionException ex) {
                p.problems.put(candidate.name(), message(ex));
            }
            p.usable.remove(candidate);
        }
    }

    /** Re-encodes the first {@code segments} segments for one share and queues its blocks. */
    private void resend(ShareWriter writer, UploadSource source, byte[] key, ChkEncoder encoder, int segments)
            throws IOException {
        int k = params.needed();
        int segmentSize = encoder.segmentSize();
        org.lafsfs.core.fec.Zfec fec = new org.lafsfs.core.fec.Zfec(k, params.total());
        try (InputStream in = source.open()) {
            for (int seg = 0; seg < segments; seg++) {
                int length = (int) Math.min(segmentSize, encoder.size() - (long) seg * segmentSize);
                byte[] segment = in.readNBytes(length);
                org.lafsfs.core.crypto.AesCtr.at(key, (long) seg * segmentSize).process(segment);
                int blockSize = encoder.blockSize(seg);
                byte[][] primary = new byte[k][blockSize];
                for (int i = 0; i < k; i++) {
                    int from = i * blockSize;
                    if (from < segment.length) {
                        System.arraycopy(segment, from, primary[i], 0, Math.min(blockSize, segment.length - from));
                    }
                }
                writer.append(fec.encode(primary, new int[] {writer.shareNumber})[0]);
                if (writer.pendingBytes() >= WRITE_BATCH) {
                    writer.flush(false);
                }
            }
        }
        writer.flush(false);
    }

    // ---- keys ----

    private byte[] convergentKey(UploadSource source, int k, int n, int segmentSize) throws IOException {
        KeyAhead ahead = source.keyAhead();
        byte[] key = ahead == null ? null : ahead.key(source, k, n, segmentSize, convergenceSecret);
        if (key != null) {
            return key;
        }
        Sha256d hasher = Hashes.convergenceHasher(k, n, segmentSize, convergenceSecret);
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = source.open()) {
            for (int r; (r = in.read(buffer)) > 0;) {
                hasher.update(buffer, 0, r);
            }
        }
        return hasher.digest();
    }

    private byte[] randomKey() {
        byte[] key = new byte[Hashes.KEY_LENGTH];
        random.nextBytes(key);
        return key;
    }

    // ---- placement ----

    private static final class Placement {
        final Map<Integer, GridServer> existing = new TreeMap<>();
        final Map<Integer, GridServer> fresh = new TreeMap<>();
        final Map<String, String> problems = new LinkedHashMap<>();
        /** Servers still worth asking, in permuted order, and how many shares each holds for this file. */
        final List<GridServer> usable = new ArrayList<>();
        final Map<GridServer, Integer> load = new java.util.IdentityHashMap<>();
        byte[] uploadSecret;
    }

    private Placement place(StorageIndex si, long shareSize) throws UploadException {
        List<GridServer> order = ServerPermutation.order(si, servers, GridServer::permutationSeed);
        Placement p = new Placement();
        p.uploadSecret = secrets.uploadSecretFor(si);
        if (order.isEmpty()) {
            throw new UploadException("no storage servers are known; nothing can be uploaded");
        }
        firstRound(si, shareSize, order, p);
        laterRounds(si, shareSize, p);
        int happiness = happiness(p.existing, p.fresh);
        if (happiness < params.happy()) {
            List<CompletableFuture<Void>> aborts = new ArrayList<>();
            for (Map.Entry<Integer, GridServer> e : p.fresh.entrySet()) {
                aborts.add(e.getValue().storage().abortImmutable(si, e.getKey(), p.uploadSecret)
                        .exceptionally(x -> null));
            }
            aborts.forEach(CompletableFuture::join); // leave nothing behind before saying so
            throw new UploadException(unhappy(si, happiness, p.problems));
        }
        return p;
    }

    /**
     * One round, all at once: share i is offered to the i-th server in permuted order (its first choice; an
     * allocation answer also says what that server already holds), and every other server is asked what it
     * holds. With as many servers as shares, that is N requests and no listing.
     */
    private void firstRound(StorageIndex si, long shareSize, List<GridServer> order, Placement p) {
        Map<Integer, GridServer> firstChoice = new TreeMap<>();
        Map<Integer, CompletableFuture<Allocation>> offered = new TreeMap<>();
        Set<GridServer> offeredTo = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int shnum = 0; shnum < params.total(); shnum++) {
            GridServer s = order.get(shnum % order.size());
            firstChoice.put(shnum, s);
            offeredTo.add(s);
            offered.put(shnum, s.storage().allocateBuckets(si, secrets.leaseFor(si, s), p.uploadSecret,
                    Set.of(shnum), shareSize));
        }
        Map<GridServer, CompletableFuture<Set<Integer>>> listings = new java.util.IdentityHashMap<>();
        for (GridServer s : order) {
            if (!offeredTo.contains(s)) {
                listings.put(s, s.storage().listImmutableShares(si));
            }
        }
        // What each server holds, or why it cannot be used.
        Map<GridServer, Set<Integer>> holds = new java.util.IdentityHashMap<>();
        Map<Integer, Allocation> answers = new TreeMap<>();
        Set<GridServer> broken = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Map.Entry<Integer, CompletableFuture<Allocation>> e : offered.entrySet()) {
            GridServer s = firstChoice.get(e.getKey());
            try {
                Allocation a = e.getValue().join();
                answers.put(e.getKey(), a);
                holds.computeIfAbsent(s, x -> new java.util.TreeSet<>()).addAll(a.alreadyHave());
                if (!a.allocated().contains(e.getKey()) && !a.alreadyHave().contains(e.getKey())) {
                    p.problems.put(s.name(), refused(shareSize));
                    broken.add(s);
                }
            } catch (CompletionException ex) {
                p.problems.put(s.name(), message(ex));
                broken.add(s);
            }
        }
        listings.forEach((s, listing) -> {
            try {
                holds.put(s, listing.join());
            } catch (CompletionException ex) {
                p.problems.put(s.name(), message(ex));
                broken.add(s);
            }
        });
        List<GridServer> usable = p.usable;
        Map<GridServer, Integer> load = p.load;
        // Shares already on the grid count as placed: one per server, in permuted order.
        for (GridServer s : order) {
            for (int shnum : holds.getOrDefault(s, Set.of())) {
                if (shnum < params.total() && !p.existing.containsKey(shnum) && !load.containsKey(s)) {
                    p.existing.put(shnum, s);
                    load.put(s, 1);
                }
            }
            if (!broken.contains(s)) {
                usable.add(s);
            }
        }
        // A new allocation stands unless its share is already elsewhere or its server already counts for
        // another share (one per server before any server takes two); those are given back.
        List<CompletableFuture<Void>> givenBack = new ArrayList<>();
        answers.forEach((shnum, a) -> {
            GridServer s = firstChoice.get(shnum);
            if (!a.allocated().contains(shnum) || p.existing.containsKey(shnum)) {
                if (a.allocated().contains(shnum)) {
                    givenBack.add(s.storage().abortImmutable(si, shnum, p.uploadSecret).exceptionally(x -> null));
                }
                return;
            }
            if (order.size() >= params.total() && load.containsKey(s)) { // it holds an existing share
                givenBack.add(s.storage().abortImmutable(si, shnum, p.uploadSecret).exceptionally(x -> null));
                return;
            }
            p.fresh.put(shnum, s);
            load.merge(s, 1, Integer::sum);
        });
        givenBack.forEach(CompletableFuture::join);
    }

    /**
     * The shares the first round left unplaced: one per server before any server takes two, in permuted
     * order. A round asks for all of them at once; shares whose server refused or failed go round again,
     * without that server.
     */
    private void laterRounds(StorageIndex si, long shareSize, Placement p) {
        List<GridServer> usable = p.usable;
        Map<GridServer, Integer> load = p.load;
        List<Integer> unplaced = new ArrayList<>();
        for (int shnum = 0; shnum < params.total(); shnum++) {
            if (!p.existing.containsKey(shnum) && !p.fresh.containsKey(shnum)) {
                unplaced.add(shnum);
            }
        }
        while (!unplaced.isEmpty() && !usable.isEmpty()) {
            Map<GridServer, Integer> planned = new java.util.IdentityHashMap<>(load);
            Map<Integer, GridServer> plan = new TreeMap<>();
            Map<Integer, CompletableFuture<Allocation>> asked = new TreeMap<>();
            for (int shnum : unplaced) {
                GridServer candidate = leastLoaded(usable, planned);
                planned.merge(candidate, 1, Integer::sum);
                plan.put(shnum, candidate);
                asked.put(shnum, candidate.storage().allocateBuckets(si, secrets.leaseFor(si, candidate),
                        p.uploadSecret, Set.of(shnum), shareSize));
            }
            List<Integer> again = new ArrayList<>();
            for (Map.Entry<Integer, GridServer> e : plan.entrySet()) {
                int shnum = e.getKey();
                GridServer candidate = e.getValue();
                try {
                    Allocation a = asked.get(shnum).join();
                    if (a.alreadyHave().contains(shnum)) {
                        p.existing.put(shnum, candidate);
                    } else if (a.allocated().contains(shnum)) {
                        p.fresh.put(shnum, candidate);
                    } else {
                        p.problems.put(candidate.name(), refused(shareSize));
                        usable.remove(candidate);
                        again.add(shnum);
                        continue;
                    }
                    load.merge(candidate, 1, Integer::sum);
                } catch (CompletionException ex) {
                    p.problems.put(candidate.name(), message(ex));
                    usable.remove(candidate);
                    again.add(shnum);
                }
            }
            unplaced = again;
        }
    }

    private static String refused(long shareSize) {
        return "refused a " + shareSize + "-byte share (no room, or another client is uploading it)";
    }

    /** The usable server holding fewest shares of this file; the earliest in permuted order among equals. */
    private static GridServer leastLoaded(List<GridServer> usable, Map<GridServer, Integer> load) {
        GridServer best = null;
        for (GridServer s : usable) {
            if (best == null || load.getOrDefault(s, 0) < load.getOrDefault(best, 0)) {
                best = s;
            }
        }
        return best;
    }

    /** Distinct servers holding shares (servers are told apart by identity: names need not be unique). */
    private static int happiness(Map<Integer, GridServer> a, Map<Integer, GridServer> b) {
        Set<GridServer> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        distinct.addAll(a.values());
        distinct.addAll(b.values());
        return distinct.size();
    }

    private String unhappy(StorageIndex si, int happiness, Map<String, String> problems) {
        StringBuilder why = new StringBuilder("upload of " + si + " failed: shares could be placed on only "
                + happiness + " distinct servers, and shares.happy is " + params.happy() + " (" + servers.size()
                + " servers known)");
        if (!problems.isEmpty()) {
            why.append("; ");
            problems.forEach((server, problem) -> why.append(server).append(": ").append(problem).append("; "));
            why.setLength(why.length() - 2);
        }
        return why.toString();
    }

    private void checkHappiness(StorageIndex si, Placement p, Map<Integer, ShareWriter> writers)
            throws UploadException {
        Map<Integer, GridServer> landed = new TreeMap<>();
        writers.forEach((shnum, w) -> {
            if (!w.failed) {
                landed.put(shnum, w.server);
            } else {
                p.problems.put(w.server.name(), w.problem);
            }
        });
        int happiness = happiness(p.existing, landed);
        if (happiness < params.happy()) {
            throw new UploadException(unhappy(si, happiness, p.problems));
        }
    }

    // ---- writing ----

    /**
     * Sends every share's full batch. No more than {@link #BATCHES_IN_FLIGHT} per share are on their way
     * (ShareWriter.flush waits for the oldest), but the encoders do not wait: the next segments are encoded
     * while the batches travel.
     */
    private static void flushFull(Map<Integer, ShareWriter> writers) {
        for (ShareWriter w : writers.values()) {
            if (w.pendingBytes() >= WRITE_BATCH) {
                w.flush(false);
            }
        }
    }

    /** Waits for every share's writes in flight. */
    private static void awaitAll(Map<Integer, ShareWriter> writers) {
        for (ShareWriter w : writers.values()) {
            w.await();
        }
    }

    private static String message(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    /** One share's bytes on their way to one server, in order, batched. */
    private static final class ShareWriter {
        final StorageIndex si;
        final int shareNumber;
        final GridServer server;
        final byte[] uploadSecret;
        /** Queued pieces (blocks are fresh arrays, never reused, so they are kept rather than copied). */
        final List<byte[]> pending = new ArrayList<>();
        int pendingBytes;
        long written;
        /** Batches sent and not yet answered, oldest first; they may land in any order. */
        final Deque<CompletableFuture<org.lafsfs.core.storage.UploadProgress>> inFlight = new ArrayDeque<>();
        boolean failed;
        boolean replaced;
        boolean complete;
        String problem;

        ShareWriter(StorageIndex si, int shareNumber, GridServer server, byte[] uploadSecret) {
            this.si = si;
            this.shareNumber = shareNumber;
            this.server = server;
            this.uploadSecret = uploadSecret;
        }

        void append(byte[] data) {
            if (!failed) {
                pending.add(data);
                pendingBytes += data.length;
            }
        }

        int pendingBytes() {
            return pendingBytes;
        }

        void flush(boolean last) {
            if (failed || pendingBytes == 0) {
                return;
            }
            while (inFlight.size() >= BATCHES_IN_FLIGHT && !failed) {
                awaitOldest();
            }
            if (failed) {
                return;
            }
            List<byte[]> pieces = List.copyOf(pending);
            long offset = written;
            written += pendingBytes;
            pending.clear();
            pendingBytes = 0;
            inFlight.add(server.storage().writeImmutable(si, shareNumber, uploadSecret, offset, pieces));
        }

        void await() {
            while (!inFlight.isEmpty() && !failed) {
                awaitOldest();
            }
            inFlight.clear();
        }

        private void awaitOldest() {
            try {
                // Whichever batch fills the last gap is the one the server answers "complete".
                complete |= inFlight.remove().join().complete();
            } catch (CompletionException e) {
                if (e.getCause() instanceof org.lafsfs.core.storage.StorageException.NotFound && finishedByTwin()) {
                    complete = true;
                    inFlight.clear();
                    return;
                }
                fail(message(e));
            }
        }

        /**
         * Whether another upload of the same file by this client (the same upload secret: say two copies of
         * one file written at once) completed this share while we were writing it. The server then knows no
         * upload in progress, but holds the share; its bytes are ours, as the storage index fixes them.
         */
        private boolean finishedByTwin() {
            try {
                return server.storage().listImmutableShares(si).join().contains(shareNumber);
            } catch (CompletionException e) {
                return false;
            }
        }

        void fail(String why) {
            failed = true;
            problem = why;
            pending.clear();
            pendingBytes = 0;
            abort();
        }

        /** Abandons the share on its server (waiting for the answer; a server that is gone drops it anyway). */
        void abort() {
            if (!complete) {
                server.storage().abortImmutable(si, shareNumber, uploadSecret).exceptionally(x -> null).join();
            }
        }
    }
}
