package org.lafsfs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.storage.ServerVersion;

/** Each storage server's answer to a version request: reachable or not (and why), and its free space. */
final class ServerReport {
    private static final long TIMEOUT_SECONDS = 5;

    private ServerReport() {
    }

    /** Asks every server at once; one that does not answer within 5 seconds is reported unreachable. */
    static ArrayNode json(List<GridServer> servers) {
        List<CompletableFuture<ServerVersion>> asked = new ArrayList<>();
        for (GridServer s : servers) {
            asked.add(s.storage().version());
        }
        ArrayNode report = JsonNodeFactory.instance.arrayNode();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        for (int i = 0; i < servers.size(); i++) {
            ObjectNode entry = report.addObject();
            entry.put("name", servers.get(i).storage().name());
            try {
                ServerVersion v = asked.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                entry.put("reachable", true);
                entry.put("available_space", v.availableSpace());
            } catch (ExecutionException e) {
                entry.put("reachable", false);
                entry.put("error", e.getCause() == null ? e.toString() : e.getCause().getMessage());
            } catch (TimeoutException e) {
                entry.put("reachable", false);
                entry.put("error", "no answer within " + TIMEOUT_SECONDS + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                entry.put("reachable", false);
                entry.put("error", "interrupted");
            }
        }
        return report;
    }
}
