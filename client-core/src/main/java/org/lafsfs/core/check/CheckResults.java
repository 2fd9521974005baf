package org.lafsfs.core.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.grid.GridServer;

/**
 * The health of one object, with the counters of Tahoe's check results
 * (webapi.rst "t=check"). Healthy means all N shares of one version are there
 * and good; recoverable means at least k are. A literal (LIT) object has no
 * shares and is always healthy: its storage index is null and only
 * {@link #healthy()} means anything.
 *
 * @param cap the cap that was checked
 * @param happiness servers-of-happiness: the most shares that can be matched to distinct servers
 * @param goodShareHosts servers holding at least one good share
 * @param wrongShares mutable only: shares of versions other than the best one
 * @param sharemap share id (immutable: the share number; mutable: {@code seqN-ROOT-shM}) to the servers holding it
 * @param corruptShares shares that failed an integrity check
 * @param problems everything else worth a look: servers that failed, shares that could not be read,
 *     versions left behind
 */
public record CheckResults(Cap cap, StorageIndex storageIndex, boolean healthy, boolean recoverable, int happiness,
        int sharesNeeded, int sharesExpected, int sharesGood, int goodShareHosts, int recoverableVersions,
        int unrecoverableVersions, int wrongShares, List<GridServer> serversResponding,
        Map<String, List<GridServer>> sharemap, List<ShareLocator> corruptShares, String summary,
        List<String> problems) {

    public CheckResults {
        if (healthy && !recoverable) {
            throw new IllegalArgumentException("a healthy object is recoverable");
        }
        serversResponding = List.copyOf(serversResponding);
        Map<String, List<GridServer>> copy = new LinkedHashMap<>();
        sharemap.forEach((id, servers) -> copy.put(id, List.copyOf(servers)));
        sharemap = java.util.Collections.unmodifiableMap(copy);
        corruptShares = List.copyOf(corruptShares);
        problems = List.copyOf(problems);
    }

    /** A literal object: its data is in the cap, so there is nothing to check and it cannot be unhealthy. */
    static CheckResults literal(Cap cap) {
        return new CheckResults(cap, null, true, true, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), Map.of(), List.of(),
                "Healthy (LIT)", List.of());
    }

    public boolean isLiteral() {
        return storageIndex == null;
    }

    /** Every corrupt share and every problem, one line each. */
    public List<String> report() {
        List<String> lines = new ArrayList<>();
        corruptShares.forEach(c -> lines.add("corrupt: " + c));
        lines.addAll(problems);
        return lines;
    }
}
