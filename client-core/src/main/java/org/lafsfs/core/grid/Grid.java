package org.lafsfs.core.grid;

import java.security.SecureRandom;
import java.util.List;
import org.lafsfs.core.immutable.EncodingParameters;
import org.lafsfs.core.mutable.ServermapStore;

/**
 * What a client needs to work with a grid: its storage servers, the node's
 * lease secrets, the encoding parameters for new files, a source of
 * randomness for salts and keys, and where it remembers servermaps.
 */
public record Grid(List<GridServer> servers, ClientSecrets secrets, EncodingParameters params, SecureRandom random,
        ServermapStore servermaps) {
    public Grid {
        servers = List.copyOf(servers);
    }

    public Grid(List<GridServer> servers, ClientSecrets secrets, EncodingParameters params, SecureRandom random) {
        this(servers, secrets, params, random, ServermapStore.NONE);
    }

    public Grid(List<GridServer> servers, ClientSecrets secrets, EncodingParameters params) {
        this(servers, secrets, params, new SecureRandom());
    }

    /** The same grid with a different set of servers (one added, one gone). */
    public Grid withServers(List<GridServer> newServers) {
        return new Grid(newServers, secrets, params, random, servermaps);
    }

    /** The same grid, remembering servermaps in {@code store}. */
    public Grid withServermaps(ServermapStore store) {
        return new Grid(servers, secrets, params, random, store);
    }
}
