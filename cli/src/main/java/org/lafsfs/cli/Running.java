package org.lafsfs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.fuse.FuseMount;
import org.lafsfs.sftp.SftpServer;
import org.lafsfs.storage.EmbeddedGrid;
import org.lafsfs.vfs.VfsException;
import org.lafsfs.vfs.VfsStatus;

/**
 * Everything one {@code lafsfs up} runs, what it tells {@code lafsfs status},
 * and its orderly end: first nothing new comes in (control socket, mount,
 * SFTP server), then the VFS finishes what is pending, and the grid it
 * needed for that stops last.
 */
final class Running {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path nodeDir;
    final Path logFile;
    private final FileLock nodeLock;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean clean;

    volatile EmbeddedGrid grid;
    volatile GridSession session;
    volatile DirectoryCap root;
    volatile String rootName;
    volatile ServedRoots roots;
    volatile SftpServer sftp;
    volatile String sftpHost;
    volatile List<String> users = List.of();
    volatile Path mountPoint;
    volatile FuseMount fuse;
    volatile String mountProblem;
    volatile ControlSocket control;
    volatile org.lafsfs.dropupload.DropUploader dropUpload;
    volatile LeaseRenewal leases;

    Running(Path nodeDir, Path logFile, FileLock nodeLock) {
        this.nodeDir = nodeDir;
        this.logFile = logFile;
        this.nodeLock = nodeLock;
    }

    /** The status document of {@code lafsfs status --json}. */
    String statusJson() {
        ObjectNode status = JSON.createObjectNode();
        status.put("running", true);
        status.put("pid", ProcessHandle.current().pid());
        status.put("node_dir", nodeDir.toString());
        status.put("root", root == null ? null : root.uri());
        status.put("root_name", rootName);
        ObjectNode sftpNode = status.putObject("sftp");
        sftpNode.put("host", sftpHost);
        sftpNode.put("port", sftp == null ? 0 : sftp.port());
        ArrayNode userList = sftpNode.putArray("users");
        users.forEach(userList::add);
        ObjectNode mount = status.putObject("mount");
        mount.put("path", mountPoint == null ? null : mountPoint.toString());
        mount.put("mounted", fuse != null && !fuse.isUnmounted());
        mount.put("problem", mountProblem);
        ObjectNode gridNode = status.putObject("grid");
        gridNode.put("embedded", grid != null);
        gridNode.set("servers", ServerReport.json(session.grid().servers()));
        if (grid != null && !grid.crawlers().isEmpty()) {
            // Garbage collection of the embedded servers: what the last full cycle of each reclaimed.
            ArrayNode gc = gridNode.putArray("garbage_collection");
            for (org.lafsfs.storage.LeaseCrawler crawler : grid.crawlers()) {
                org.lafsfs.storage.LeaseCrawlerState state = crawler.status();
                ObjectNode one = gc.addObject();
                one.put("cycle", state.cycle());
                one.put("in_cycle", state.inCycle());
                if (state.lastCycle() != null) {
                    one.put("last_cycle_finished", state.lastCycle().finished().toString());
                    one.put("removed_shares", state.lastCycle().counts().immutable().removedShares()
                            + state.lastCycle().counts().mutable().removedShares());
                    one.put("removed_bytes", state.lastCycle().counts().immutable().removedBytes()
                            + state.lastCycle().counts().mutable().removedBytes());
                }
            }
        }
        VfsStatus vfs = roots.status();
        ObjectNode uploads = status.putObject("uploads");
        ArrayNode pending = uploads.putArray("pending");
        vfs.pendingUploads().forEach(pending::add);
        ArrayNode failed = uploads.putArray("failed");
        vfs.failedUploads().forEach(failed::add);
        uploads.put("directories_with_unpublished_edits", vfs.directoriesWithPendingEdits());
        ObjectNode cache = status.putObject("cache");
        vfs.cacheStats().forEach(cache::put);
        if (dropUpload != null) {
            org.lafsfs.dropupload.DropUploader.Status d = dropUpload.status();
            ObjectNode drop = status.putObject("drop_upload");
            drop.put("local_directory", d.localDir().toString());
            drop.put("waiting", d.waiting());
            drop.put("uploading", d.uploading());
            drop.put("uploaded", d.uploaded());
            drop.put("renamed", d.renamed());
            drop.put("deleted", d.deleted());
            ObjectNode dropFailed = drop.putObject("failed");
            d.failed().forEach(dropFailed::put);
        }
        if (leases != null) {
            status.set("lease_renewal", leases.lastRecord());
        }
        status.put("log", logFile.toString());
        return status.toPrettyString();
    }

    /** Between the steps of a start: a Ctrl-C during it ends the start there (what exists is stopped). */
    void requireRunning() throws java.io.InterruptedIOException {
        if (stopping.get()) {
            throw new java.io.InterruptedIOException("stopped while starting");
        }
    }

    void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    boolean stoppedCleanly() {
        return clean;
    }

    /** Stops everything in order; called by the shutdown hook, and on a failed start. The second caller waits. */
    void stop() {
        if (!stopping.compareAndSet(false, true)) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        boolean announced = control != null;
        if (announced) {
            Print.err("lafsfs: stopping: no new requests; finishing what is pending");
        }
        // Each step on its own: one that fails must not keep the later ones (the grid, the lock) from running.
        boolean ok = step("lease renewal", () -> close(leases))
                & step("the status socket", () -> close(control))
                & step("the mount", () -> close(fuse))
                & step("the SFTP server", () -> close(sftp))
                & step("drop-upload", () -> close(dropUpload))
                & step("pending uploads", () -> {
                    if (roots != null) {
                        try {
                            roots.close();
                        } catch (VfsException e) {
                            throw new IOException(e.getMessage() + " (kept in the spool: it resumes at the next"
                                    + " start)", e);
                        }
                    }
                })
                & step("the grid connections", () -> close(session))
                & step("the storage servers", () -> close(grid))
                & step("the node directory lock", () -> {
                    nodeLock.release();
                    nodeLock.channel().close();
                });
        clean = ok;
        if (announced) {
            Print.err("lafsfs: stopped" + (ok ? "" : " (see above)"));
        }
        stopped.countDown();
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private static boolean step(String what, Step step) {
        try {
            step.run();
            return true;
        } catch (Exception e) {
            Print.err("lafsfs: stopping " + what + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return false;
        }
    }

    private static void close(AutoCloseable c) throws Exception {
        if (c != null) {
            c.close();
        }
    }
}
