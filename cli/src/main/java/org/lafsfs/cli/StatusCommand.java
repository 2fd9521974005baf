package org.lafsfs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lafsfs status}: what the {@code lafsfs up} of a node directory is
 * doing, asked over its control socket; when none runs, the servers of
 * private/servers.yaml are asked directly. Exits 0 when it runs, 3 when not.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show what lafsfs up is doing: its SFTP address, mount point and root, the storage servers"
            + " (reachable? free space?), uploads pending in the spool, cache hit ratios.",
            "Exit status 0 when lafsfs up runs for the node directory, 3 when it does not."})
final class StatusCommand implements Callable<Integer> {
    static final int NOT_RUNNING = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--json", description = "print one JSON document (for scripts)")
    boolean json;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws Exception {
        Path nodeDir = main.node.nodeDir().toAbsolutePath().normalize();
        Optional<String> answer = Files.isDirectory(nodeDir) ? ControlSocket.ask(nodeDir) : Optional.empty();
        JsonNode status = answer.isPresent() ? JSON.readTree(answer.get()) : notRunning(nodeDir);
        Print.out(json ? status.toPrettyString() : text(status));
        return status.path("running").asBoolean() ? 0 : NOT_RUNNING;
    }

    private static JsonNode notRunning(Path nodeDir) throws Exception {
        ObjectNode status = JSON.createObjectNode();
        status.put("running", false);
        status.put("node_dir", nodeDir.toString());
        if (!Files.isDirectory(nodeDir)) {
            return status;
        }
        NodeDirectory node = NodeDirectory.open(nodeDir);
        boolean embedded = NodeSetup.embeddedServers(node) > 0;
        status.putObject("grid").put("embedded", embedded);
        if (!embedded && Files.exists(nodeDir.resolve("private/servers.yaml"))) {
            try (GridSession session = GridSession.open(node)) {
                ((ObjectNode) status.get("grid")).set("servers", ServerReport.json(session.grid().servers()));
            }
        }
        return status;
    }

    static String text(JsonNode s) {
        StringBuilder out = new StringBuilder();
        if (!s.path("running").asBoolean()) {
            out.append("lafsfs up is not running for ").append(s.path("node_dir").asText()).append('\n');
        } else {
            out.append("lafsfs up is running (pid ").append(s.path("pid").asLong()).append(") for ")
                    .append(s.path("node_dir").asText()).append('\n');
            out.append("  root:     ").append(s.path("root").asText()).append(" (").append(s.path("root_name")
                    .asText()).append(")\n");
            JsonNode sftp = s.path("sftp");
            out.append("  SFTP:     ").append(sftp.path("host").asText()).append(':').append(sftp.path("port").asInt())
                    .append(", users ").append(String.join(", ", JSON.convertValue(sftp.path("users"),
                            String[].class))).append('\n');
            JsonNode mount = s.path("mount");
            out.append("  drive:    ").append(mount.path("mounted").asBoolean() ? mount.path("path").asText()
                    : "not mounted" + (mount.path("problem").isTextual() ? ": " + mount.path("problem").asText()
                            : "")).append('\n');
            JsonNode uploads = s.path("uploads");
            out.append("  uploads:  ").append(uploads.path("pending").size()).append(" pending, ")
                    .append(uploads.path("failed").size()).append(" failed; ")
                    .append(uploads.path("directories_with_unpublished_edits").asInt())
                    .append(" directories with unpublished edits\n");
            uploads.path("failed").forEach(f -> out.append("    failed: ").append(f.asText()).append('\n'));
            s.path("cache").fields().forEachRemaining(e -> out.append("  cache:    ").append(e.getKey()).append(' ')
                    .append(e.getValue().asText()).append('\n'));
            JsonNode drop = s.path("drop_upload");
            if (drop.isObject()) {
                out.append("  drop-upload: ").append(drop.path("local_directory").asText()).append(": ")
                        .append(drop.path("uploaded").asLong()).append(" uploaded, ")
                        .append(drop.path("waiting").asInt() + drop.path("uploading").asInt()).append(" waiting, ")
                        .append(drop.path("failed").size()).append(" failing\n");
                drop.path("failed").fields().forEachRemaining(f -> out.append("    failing: ").append(f.getKey())
                        .append(": ").append(f.getValue().asText()).append('\n'));
            }
            JsonNode leases = s.path("lease_renewal");
            out.append("  leases:   ").append(leases.has("last_renewal") ? "renewed " + leases.path("last_renewal")
                    .asText() + " on " + leases.path("objects").asInt() + " objects" : "not renewed yet").append('\n');
            out.append("  log:      ").append(s.path("log").asText()).append('\n');
        }
        JsonNode grid = s.path("grid");
        if (grid.path("embedded").asBoolean() && !s.path("running").asBoolean()) {
            out.append("  grid:     embedded (its servers run inside lafsfs up)\n");
        } else if (grid.has("servers")) {
            long reachable = 0;
            for (JsonNode server : grid.path("servers")) {
                reachable += server.path("reachable").asBoolean() ? 1 : 0;
            }
            out.append("  grid:     ").append(grid.path("embedded").asBoolean() ? "embedded, " : "")
                    .append(reachable).append(" of ").append(grid.path("servers").size())
                    .append(" storage servers reachable\n");
            for (JsonNode server : grid.path("servers")) {
                out.append("    ").append(server.path("name").asText()).append(": ")
                        .append(server.path("reachable").asBoolean()
                                ? Sizes.describe(server.path("available_space").asLong()) + " free"
                                : "unreachable (" + server.path("error").asText() + ")").append('\n');
            }
        }
        return out.toString().stripTrailing();
    }
}
