package org.lafsfs.core.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkVerifierCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.storage.ServerPermutation;

/**
 * Checks an immutable file as Tahoe's immutable checker does: every server is
 * asked which shares it holds; with verify, every share is also downloaded and
 * hash-checked. Healthy means all N share numbers have a good copy somewhere,
 * recoverable means k do.
 */
final class ImmutableChecker {
    private final Grid grid;
    private final ChkVerifierCap verifyCap;
    private final StorageIndex si;

    ImmutableChecker(Grid grid, Cap cap) {
        this.grid = grid;
        this.verifyCap = (ChkVerifierCap) cap.verifyCap().orElseThrow();
        this.si = verifyCap.storageIndex().orElseThrow();
    }

    /**
     * Where the shares are.
     *
     * @param listed every share each answering server holds (good or not), in permuted order
     * @param good share number to the servers holding a good copy (with verify: verified; without: listed)
     */
    record Survey(Map<GridServer, Set<Integer>> listed, Map<Integer, List<GridServer>> good,
            List<ShareLocator> corrupt, List<String> problems) {
    }

    Survey survey(boolean verify) {
        List<GridServer> order = ServerPermutation.order(si, grid.servers(), GridServer::permutationSeed);
        Map<GridServer, CompletableFuture<Set<Integer>>> asks = new LinkedHashMap<>();
        order.forEach(s -> asks.put(s, s.storage().listImmutableShares(si)));
        Map<GridServer, Set<Integer>> listed = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        asks.forEach((server, ask) -> {
            try {
                listed.put(server, new TreeSet<>(ask.join()));
            } catch (CompletionException e) {
                problems.add(server.name() + " did not answer: " + Leases.message(e));
            }
        });
        Map<Integer, List<GridServer>> good = new TreeMap<>();
        List<ShareLocator> corrupt = new ArrayList<>();
        if (verify) {
            for (ImmutableVerifier.Verdict v : new ImmutableVerifier(verifyCap).verify(listed)) {
                if (v.good()) {
                    good.computeIfAbsent(v.shnum(), x -> new ArrayList<>()).add(v.server());
                } else if (v.corrupt()) {
                    corrupt.add(new ShareLocator(v.server(), si, v.shnum(), v.problem()));
                } else {
                    problems.add(v.server().name() + " sh" + v.shnum() + ": " + v.problem());
                }
            }
        } else {
            listed.forEach((server, shares) -> shares.stream().filter(s -> s < verifyCap.totalShares())
                    .forEach(s -> good.computeIfAbsent(s, x -> new ArrayList<>()).add(server)));
        }
        return new Survey(listed, good, corrupt, problems);
    }

    /** The results of a survey, reported against {@code checked} (the cap given: a directory's, say). */
    CheckResults check(Survey survey, boolean addLease, Cap checked) {
        List<String> problems = new ArrayList<>(survey.problems());
        if (addLease) {
            problems.addAll(Leases.renew(grid, si, holders(survey)));
        }
        return results(survey, problems, checked);
    }

    private static List<GridServer> holders(Survey survey) {
        return survey.listed().entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey)
                .toList();
    }

    private CheckResults results(Survey survey, List<String> problems, Cap checked) {
        int k = verifyCap.neededShares();
        int n = verifyCap.totalShares();
        int good = survey.good().size();
        boolean healthy = good >= n;
        boolean recoverable = good >= k;
        Set<GridServer> hosts = new java.util.HashSet<>();
        survey.good().values().forEach(hosts::addAll);
        Map<String, List<GridServer>> sharemap = new LinkedHashMap<>();
        survey.good().forEach((shnum, servers) -> sharemap.put(Integer.toString(shnum), servers));
        String summary = healthy ? "Healthy"
                : "Not Healthy: " + good + " shares (enc " + k + "-of-" + n + ")";
        if (!recoverable) {
            problems.add(0, "unrecoverable: " + good + " good shares of the " + k + " needed");
        }
        return new CheckResults(checked, si, healthy, recoverable, Happiness.of(survey.good()), k, n, good,
                hosts.size(), recoverable ? 1 : 0, recoverable ? 0 : 1, 0, new ArrayList<>(survey.listed().keySet()),
                sharemap, survey.corrupt(), summary, problems);
    }
}
