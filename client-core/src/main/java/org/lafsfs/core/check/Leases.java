package org.lafsfs.core.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;

/**
 * Adds or renews this client's lease on a file's shares (Tahoe's add-lease),
 * with the per-server secrets uploads and publishes use, so the lease renewed
 * is the one the upload created rather than a second one.
 */
final class Leases {
    private Leases() {
    }

    /** Renews the lease on every server that holds shares; returns the failures, one line each. */
    static List<String> renew(Grid grid, StorageIndex si, List<GridServer> holders) {
        Map<GridServer, CompletableFuture<Void>> renewals = new LinkedHashMap<>();
        for (GridServer server : holders) {
            renewals.put(server, server.storage().addOrRenewLease(si, grid.secrets().leaseFor(si, server)));
        }
        List<String> failures = new ArrayList<>();
        renewals.forEach((server, renewal) -> {
            try {
                renewal.join();
            } catch (CompletionException e) {
                failures.add(server.name() + ": the lease could not be renewed: " + message(e));
            }
        });
        return failures;
    }

    static String message(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
