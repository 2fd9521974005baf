package org.lafsfs.core.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.crypto.Hashes;

/**
 * Tahoe's permuted ring: for each storage index, servers are ordered by
 * SHA-1(storage index || permutation seed). Every client computes the same
 * order, so uploaders and downloaders look at the same servers first, and a
 * server added to the grid is inserted into each order without reordering the
 * others.
 */
public final class ServerPermutation {
    private ServerPermutation() {
    }

    public static <S> List<S> order(StorageIndex storageIndex, List<S> servers, Function<S, byte[]> seed) {
        byte[] si = storageIndex.bytes();
        List<S> sorted = new ArrayList<>(servers);
        sorted.sort(Comparator.comparing((S s) -> Hashes.permutedServerKey(si, seed.apply(s)), Arrays::compareUnsigned));
        return sorted;
    }

    public static List<ServerAnnouncement> order(StorageIndex storageIndex, List<ServerAnnouncement> servers) {
        return order(storageIndex, servers, ServerAnnouncement::permutationSeed);
    }
}
