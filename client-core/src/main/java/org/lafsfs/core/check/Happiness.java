package org.lafsfs.core.check;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Servers-of-happiness (Tahoe's servers-of-happiness.rst): the size of a
 * maximum matching between shares and the servers holding them, so that a
 * server holding several shares, or several servers holding one share, count
 * once. Shares and servers are few, so augmenting paths (Kuhn's algorithm) do.
 */
final class Happiness {
    private Happiness() {
    }

    static <K, S> int of(Map<K, ? extends Collection<S>> holders) {
        return matching(holders).size();
    }

    /** A maximum matching: each matched share to the one server that counts for it. */
    static <K, S> Map<K, S> matching(Map<K, ? extends Collection<S>> holders) {
        Map<S, K> owner = new HashMap<>();
        for (K share : holders.keySet()) {
            augment(share, holders, owner, new HashSet<>());
        }
        Map<K, S> matched = new TreeMap<>();
        owner.forEach((server, share) -> matched.put(share, server));
        return matched;
    }

    private static <K, S> boolean augment(K share, Map<K, ? extends Collection<S>> holders, Map<S, K> owner,
            Set<S> seen) {
        Collection<S> held = holders.get(share);
        List<S> servers = held == null ? List.of() : new ArrayList<>(held);
        for (S server : servers) {
            if (!seen.add(server)) {
                continue;
            }
            K current = owner.get(server);
            if (current == null || augment(current, holders, owner, seen)) {
                owner.put(server, share);
                return true;
            }
        }
        return false;
    }
}
