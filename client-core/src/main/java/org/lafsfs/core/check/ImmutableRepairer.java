package org.lafsfs.core.check;

import java.io.IOException;
import java.security.SecureRandom;
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
import org.lafsfs.core.cap.ChkVerifierCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.ChkEncoder;
import org.lafsfs.core.immutable.ChkReader;
import org.lafsfs.core.immutable.ShareLayout;
import org.lafsfs.core.storage.Allocation;

/**
 * Repairs an immutable file: the plaintext is read back (every byte verified)
 * and encoded again with the cap's key and the file's own segment size, which
 * gives exactly the original shares, so the missing ones can be uploaded
 * without the convergence secret. Shares already matched to distinct servers
 * stay where they are; every other share number goes to a server holding
 * none of the file's matched shares, in permuted order, so happiness rises as
 * far as the grid allows. A segment at a time is in memory.
 */
final class ImmutableRepairer {
    private final Grid grid;
    private final ChkCap cap;
    private final StorageIndex si;
    private final SecureRandom random = new SecureRandom();

    ImmutableRepairer(Grid grid, ChkCap cap) {
        this.grid = grid;
        this.cap = cap;
        this.si = cap.storageIndex().orElseThrow();
    }

    /** Uploads the shares the survey found missing; returns share number to the server now holding it. */
    Map<Integer, String> repair(ImmutableChecker.Survey survey) throws IOException {
        ImmutableShareHead head = anyGoodHead(survey);
        int k = cap.neededShares();
        int n = cap.totalShares();
        ChkEncoder encoder = new ChkEncoder(cap.key(), k, n, cap.size(), head.segmentSize);
        ShareLayout layout = encoder.plannedLayout();
        long shareSize = layout.shareSize(encoder.plannedUriExtensionSize());
        byte[] uploadSecret = new byte[32];
        random.nextBytes(uploadSecret);

        Map<Integer, GridServer> targets = allocate(survey, shareSize, uploadSecret);
        if (targets.isEmpty()) {
            throw new IOException("no server would take a missing share of " + si);
        }
        Map<Integer, Long> written = new TreeMap<>();
        targets.keySet().forEach(s -> written.put(s, 0L));
        try {
            send(targets, written, uploadSecret, shnum -> layout.header());
            ChkReader reader = ChkReader.on(grid, cap);
            for (int seg = 0; seg < encoder.numSegments(); seg++) {
                long start = (long) seg * head.segmentSize;
                byte[][] blocks = encoder.encodeSegment(reader.read(start,
                        (int) Math.min(head.segmentSize, cap.size() - start)));
                send(targets, written, uploadSecret, shnum -> blocks[shnum]);
            }
            ChkEncoder.Result result = encoder.finish();
            if (!Arrays.equals(result.cap().uriExtensionHash(), cap.uriExtensionHash())) {
                throw new IOException("re-encoding " + si + " does not reproduce its URI extension block (the file"
                        + " was encoded in a way lafsfs does not repeat), so new shares would not match the cap");
            }
            send(targets, written, uploadSecret, shnum -> result.trailers().get(shnum));
        } catch (IOException | RuntimeException e) {
            abort(targets, uploadSecret);
            throw e;
        }
        Map<Integer, String> placed = new TreeMap<>();
        targets.forEach((shnum, server) -> placed.put(shnum, server.name()));
        return placed;
    }

    private ImmutableShareHead anyGoodHead(ImmutableChecker.Survey survey) throws IOException {
        ChkVerifierCap verifyCap = (ChkVerifierCap) cap.verifyCap().orElseThrow();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<Integer, List<GridServer>> e : survey.good().entrySet()) {
            for (GridServer server : e.getValue()) {
                try {
                    return ImmutableShareHead.read(server, verifyCap, e.getKey());
                } catch (CorruptShareException | CompletionException ex) {
                    problems.add(server.name() + " sh" + e.getKey() + ": " + Leases.message(ex));
                }
            }
        }
        throw new IOException("no readable share of " + si + " tells its segment size: " + problems);
    }

    /**
     * Chooses and allocates a server for every share number not matched to a
     * server of its own: unmatched servers first, then the least loaded, never
     * one already holding a copy (good or corrupt) of that number.
     */
    private Map<Integer, GridServer> allocate(ImmutableChecker.Survey survey, long shareSize, byte[] uploadSecret) {
        Map<Integer, GridServer> matched = Happiness.matching(survey.good());
        Map<GridServer, Integer> load = new HashMap<>();
        matched.values().forEach(s -> load.merge(s, 1, Integer::sum));
        Set<GridServer> refused = new HashSet<>();
        Map<Integer, GridServer> targets = new TreeMap<>();
        for (int shnum = 0; shnum < cap.totalShares(); shnum++) {
            if (matched.containsKey(shnum)) {
                continue;
            }
            while (true) {
                GridServer best = null;
                for (Map.Entry<GridServer, Set<Integer>> e : survey.listed().entrySet()) { // permuted order
                    GridServer s = e.getKey();
                    if (refused.contains(s) || e.getValue().contains(shnum)) {
                        continue;
                    }
                    if (best == null || load.getOrDefault(s, 0) < load.getOrDefault(best, 0)) {
                        best = s;
                    }
                }
                if (best == null) {
                    break; // every server holds this number or refused: the post-repair check tells
                }
                try {
                    Allocation a = best.storage().allocateBuckets(si, grid.secrets().leaseFor(si, best),
                            uploadSecret, Set.of(shnum), shareSize).join();
                    if (a.allocated().contains(shnum)) {
                        targets.put(shnum, best);
                        load.merge(best, 1, Integer::sum);
                        break;
                    }
                } catch (CompletionException e) {
                    // gone: try the next
                }
                refused.add(best);
            }
        }
        return targets;
    }

    /** Appends one piece to every target share, all servers at once; a server that fails loses its share. */
    private void send(Map<Integer, GridServer> targets, Map<Integer, Long> written, byte[] uploadSecret,
            java.util.function.IntFunction<byte[]> piece) throws IOException {
        Map<Integer, CompletableFuture<?>> writes = new LinkedHashMap<>();
        targets.forEach((shnum, server) -> {
            byte[] data = piece.apply(shnum);
            writes.put(shnum, server.storage().writeImmutable(si, shnum, uploadSecret, written.get(shnum), data));
            written.merge(shnum, (long) data.length, Long::sum);
        });
        List<String> failures = new ArrayList<>();
        writes.forEach((shnum, w) -> {
            try {
                w.join();
            } catch (CompletionException e) {
                failures.add(targets.get(shnum).name() + " sh" + shnum + ": " + Leases.message(e));
            }
        });
        if (!failures.isEmpty()) {
            throw new IOException("repair of " + si + " failed writing shares: " + failures);
        }
    }

    private void abort(Map<Integer, GridServer> targets, byte[] uploadSecret) {
        targets.forEach((shnum, server) -> server.storage().abortImmutable(si, shnum, uploadSecret)
                .exceptionally(e -> null).join());
    }
}
