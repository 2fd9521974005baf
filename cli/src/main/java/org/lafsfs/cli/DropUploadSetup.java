package org.lafsfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.dirnode.ExistingChildException;
import org.lafsfs.core.dirnode.NoSuchChildException;
import org.lafsfs.dropupload.DropUploadConfig;

/**
 * Drop-upload as Tahoe configured it — tahoe.cfg {@code [drop_upload] enabled}
 * and {@code local.directory}, the target's write cap in
 * private/drop_upload_dircap — or as the command line gives it, and what
 * starting it needs: the target directory resolved (made when missing) and
 * enough storage servers to upload to.
 */
final class DropUploadSetup {
    private DropUploadSetup() {
    }

    /** What tahoe.cfg asks for, if drop-upload is enabled there: the folder and the target. */
    record Configured(Path localDir, String target) {
    }

    static Optional<Configured> configured(NodeDirectory node) throws IOException {
        Map<String, String> section = node.section("drop_upload");
        if (!isTrue(section.getOrDefault("enabled", "false"))) {
            return Optional.empty();
        }
        String local = section.get("local.directory");
        if (local == null || local.isBlank()) {
            throw new IllegalArgumentException("tahoe.cfg [drop_upload] is enabled but names no local.directory");
        }
        Path capFile = node.path().resolve("private").resolve("drop_upload_dircap");
        if (!Files.exists(capFile)) {
            throw new IllegalArgumentException("tahoe.cfg [drop_upload] is enabled but " + capFile
                    + " (the target directory's write cap) is missing");
        }
        return Optional.of(new Configured(Path.of(expandHome(local)),
                Files.readString(capFile, StandardCharsets.UTF_8).strip()));
    }

    /** The uploader's settings: tahoe.cfg [drop_upload] parallel-uploads and archive-deletions, the state file. */
    static DropUploadConfig config(NodeDirectory node, Path localDir, DirectoryCap target) {
        Map<String, String> section = node.section("drop_upload");
        DropUploadConfig config = DropUploadConfig.defaults(localDir, stateFile(node, localDir, target));
        if (section.containsKey("parallel-uploads")) {
            try {
                config = config.withParallelUploads(Integer.parseInt(section.get("parallel-uploads").strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("tahoe.cfg [drop_upload] parallel-uploads must be a number");
            }
        }
        return config.withArchiveDeletions(isTrue(section.getOrDefault("archive-deletions", "false")));
    }

    /** One state file per (folder, target) pair, so that pointing a folder elsewhere starts afresh. */
    private static Path stateFile(NodeDirectory node, Path localDir, DirectoryCap target) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((localDir.toAbsolutePath().normalize() + "\n"
                    + target.uri()).getBytes(StandardCharsets.UTF_8));
            return node.path().resolve("private").resolve("drop-upload")
                    .resolve(HexFormat.of().formatHex(hash, 0, 8) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The target as a cap, an alias or a path (Tahoe #1711), made (with missing parents) if it does not exist. */
    static DirectoryCap target(NodeDirectory node, GridSession session, String given) throws IOException {
        GridPath path = GridPath.parse(given, Aliases.load(node.path()));
        GridPath.Target found;
        try {
            found = path.resolve(session.grid());
        } catch (NoSuchChildException missing) {
            try {
                path.writableParent(session.grid(), node.mutableFormat()).createSubdirectory(path.name(),
                        node.mutableFormat());
            } catch (ExistingChildException raced) {
                // made meanwhile by someone else: use it
            }
            found = path.resolve(session.grid());
        }
        if (!(found.cap() instanceof DirectoryCap dir) || dir.isReadOnly() || !dir.isMutable()) {
            throw new IllegalArgumentException(given + " is not a directory this node can write to");
        }
        return dir;
    }

    /** Waits (saying so) until shares.happy servers answer, instead of failing at the first upload (#1449). */
    static void awaitServers(GridSession session, NodeDirectory node) throws InterruptedException {
        int happy = node.encoding().happy();
        long lastSaid = 0;
        while (true) {
            int reachable = 0;
            for (var server : ServerReport.json(session.grid().servers())) {
                reachable += server.path("reachable").asBoolean() ? 1 : 0;
            }
            if (reachable >= happy) {
                return;
            }
            if (System.nanoTime() - lastSaid > 30_000_000_000L) {
                Print.err("lafsfs: waiting for storage servers: " + reachable + " of the " + happy
                        + " needed (shares.happy) answer");
                lastSaid = System.nanoTime();
            }
            Thread.sleep(2000);
        }
    }

    private static boolean isTrue(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        return v.equals("true") || v.equals("yes") || v.equals("on") || v.equals("1");
    }

    private static String expandHome(String path) {
        return path.startsWith("~/") ? UpCommand.home().resolve(path.substring(2)).toString() : path;
    }
}
