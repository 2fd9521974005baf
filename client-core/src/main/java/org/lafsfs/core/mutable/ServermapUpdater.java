package org.lafsfs.core.mutable;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.lafsfs.core.crypto.SigningKey;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.LayoutInvalidException;
import org.lafsfs.core.storage.ServerPermutation;

/**
 * Builds a {@link Servermap} by asking servers in the file's permuted order,
 * a batch at a time, until the mode's stopping rule holds (DESIGN.md, from
 * Tahoe tickets #546-#550):
 * <ul>
 * <li>READ: the newest version seen has k + epsilon shares.
 * <li>WRITE: the newest version is recoverable, nothing newer or older was
 * seen, all N of its shares were found, and the last server holding a share is
 * followed by epsilon servers holding none. Requiring all N shares is what keeps
 * a gap of newly inserted empty servers (#549) from passing for the end, and the
 * run of empties must come after the last share, never inside (#547's 10001).
 * <li>CHECK: every server. ANYTHING: any recoverable version.
 * </ul>
 * Epsilon is k, as in Tahoe.
 */
public final class ServermapUpdater {
    private final Grid grid;
    private final MutableKeys keys;
    private final Set<String> verifiedSignatures = ConcurrentHashMap.newKeySet();

    public ServermapUpdater(Grid grid, MutableKeys keys) {
        this.grid = grid;
        this.keys = keys;
    }

    public Servermap update(Mode mode) {
        List<GridServer> permuted = ServerPermutation.order(keys.storageIndex(), grid.servers(),
                GridServer::permutationSeed);
        Servermap map = new Servermap(keys.storageIndex(), permuted, mode);
        int k = grid.params().needed();
        int n = grid.params().total();
        int next = 0;
        int batch = switch (mode) {
            case READ, ANYTHING -> k + k;
            case WRITE -> n + k;
            case CHECK -> permuted.size();
        };
        while (next < permuted.size()) {
            int end = Math.min(permuted.size(), next + batch);
            List<CompletableFuture<Servermap.ServerRecord>> queries = new ArrayList<>();
            for (int rank = next; rank < end; rank++) {
                queries.add(query(permuted.get(rank), rank));
            }
            queries.forEach(q -> map.record(q.join()));
            next = end;
            if (done(map, mode, next)) {
                break;
            }
            batch = mode == Mode.WRITE ? n : k;
        }
        return map;
    }

    private static boolean done(Servermap map, Mode mode, int asked) {
        Optional<SignedPrefix> newest = map.newestSeen();
        switch (mode) {
            case CHECK:
                return false;
            case ANYTHING:
                return map.newestRecoverable().isPresent();
            case READ:
                return newest.isPresent() && map.shareNumbers(newest.get()).size()
                        >= Math.min(newest.get().n(), 2 * newest.get().k());
            case WRITE:
            default:
                if (newest.isEmpty() || map.versions().size() != 1) {
                    return false;
                }
                SignedPrefix version = newest.get();
                if (map.shareNumbers(version).size() < version.n()) {
                    return false;
                }
                return emptyRunAfterLastShare(map, asked) >= version.k();
        }
    }

    /** How many answering servers after the last one holding any share held none. */
    static int emptyRunAfterLastShare(Servermap map, int asked) {
        int run = 0;
        for (int rank = asked - 1; rank >= 0; rank--) {
            Servermap.ServerRecord r = map.answers().get(rank);
            if (r == null || r.failed()) {
                continue; // a server that did not answer says nothing either way
            }
            if (!r.shares().isEmpty()) {
                return run;
            }
            run++;
        }
        return run;
    }

    private CompletableFuture<Servermap.ServerRecord> query(GridServer server, int rank) {
        return server.storage().listMutableShares(keys.storageIndex())
                .thenCompose(numbers -> {
                    Map<Integer, CompletableFuture<Servermap.ShareRecord>> reads = new TreeMap<>();
                    for (int shnum : numbers) {
                        reads.put(shnum, server.storage().readMutable(keys.storageIndex(), shnum, 0,
                                MutableShareLayout.MAPUPDATE_READ_LENGTH).thenApply(head -> inspect(shnum, head)));
                    }
                    return CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new))
                            .thenApply(ignored -> {
                                Map<Integer, Servermap.ShareRecord> shares = new TreeMap<>();
                                reads.forEach((shnum, f) -> shares.put(shnum, f.join()));
                                return new Servermap.ServerRecord(server, rank, shares, null);
                            });
                })
                .exceptionally(e -> new Servermap.ServerRecord(server, rank, Map.of(), unwrap(e)));
    }

    /** Parses and authenticates the start of a share: its key must be the cap's and its signature good. */
    Servermap.ShareRecord inspect(int shnum, byte[] head) {
        byte[] checkstring = Arrays.copyOf(head, Math.min(head.length, SignedPrefix.MAX_CHECKSTRING_LENGTH));
        try {
            MutableShareLayout layout = MutableShareLayout.parse(head);
            byte[] pubkey = layout.pubkeyField().in(head, 0);
            byte[] signature = layout.signatureField().in(head, 0);
            if (!keys.isOurPublicKey(pubkey)) {
                return new Servermap.ShareRecord(shnum, null, checkstring, head, "public key is not this file's");
            }
            byte[] signed = layout.prefix().bytes();
            String memo = Arrays.toString(signed) + Arrays.toString(signature);
            if (!verifiedSignatures.contains(memo)) {
                if (!SigningKey.VerifyingKey.fromDer(pubkey).verify(signed, signature)) {
                    return new Servermap.ShareRecord(shnum, null, checkstring, head, "bad signature");
                }
                verifiedSignatures.add(memo);
            }
            return new Servermap.ShareRecord(shnum, layout.prefix(), checkstring, head, null);
        } catch (LayoutInvalidException | GeneralSecurityException e) {
            return new Servermap.ShareRecord(shnum, null, checkstring, head, e.getMessage());
        }
    }

    static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
