package org.lafsfs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.dropupload.DropUploadConfig;
import org.lafsfs.dropupload.DropUploader;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.VfsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lafsfs drop-upload [LOCAL_DIR TARGET]}: mirrors a local folder into a
 * grid directory until interrupted (then what is under way finishes).
 */
@Command(name = "drop-upload", mixinStandardHelpOptions = true,
        description = {"Mirror a local folder into a grid directory, until Ctrl-C: new and changed files are uploaded"
            + " once quiet, subfolders become directories, deletions and renames follow, and changes made while it"
            + " was not running are found at the next start.",
            "Without arguments, tahoe.cfg [drop_upload] local.directory and NODEDIR/private/drop_upload_dircap say"
                + " what to mirror where. lafsfs up runs it too when [drop_upload] enabled = true."})
final class DropUploadCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "LOCAL_DIR", description = "the folder to watch")
    Path localDir;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TARGET",
            description = "the grid directory: ALIAS:[DIRS], DIRCAP[/DIRS] (made if missing)")
    String target;

    @Option(names = "--parallel", paramLabel = "N", description = "files uploaded at once (default 4)")
    Integer parallel;

    @Option(names = "--archive-deletions", description = "move what is deleted locally into TARGET/Archives/"
            + " instead of unlinking it")
    boolean archive;

    @Option(names = "--settle", paramLabel = "MILLIS", defaultValue = "1000",
            description = "how long a file must be unchanged before it is uploaded (default ${DEFAULT-VALUE} ms)")
    long settleMillis;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws Exception {
        NodeDirectory node = NodeDirectory.open(main.node.nodeDir());
        if ((localDir == null) != (target == null)) {
            throw new IllegalArgumentException("give both LOCAL_DIR and TARGET, or neither (tahoe.cfg [drop_upload])");
        }
        Path local;
        String where;
        if (localDir == null) {
            Optional<DropUploadSetup.Configured> configured = DropUploadSetup.configured(node);
            if (configured.isEmpty()) {
                throw new IllegalArgumentException("give LOCAL_DIR and TARGET, or enable [drop_upload] in tahoe.cfg");
            }
            local = configured.get().localDir();
            where = configured.get().target();
        } else {
            local = localDir;
            where = target;
        }
        if (!Files.isDirectory(local)) {
            throw new IllegalArgumentException(local + " is not a directory");
        }
        Logs.toNodeDirectory(node.path(), false);
        GridSession session = GridSession.open(node);
        session.keepKeysReady();
        try {
            DropUploadSetup.awaitServers(session, node);
            DirectoryCap dir = DropUploadSetup.target(node, session, where);
            DropUploadConfig config = DropUploadSetup.config(node, local.toAbsolutePath(), dir)
                    .withSettle(Duration.ofMillis(settleMillis), Duration.ofSeconds(30));
            if (parallel != null) {
                config = config.withParallelUploads(parallel);
            }
            if (archive) {
                config = config.withArchiveDeletions(true);
            }
            Spool spool = Spool.claim(node, dir);
            LafsVfs vfs = LafsVfs.open(session.grid(), dir, spool.config(node));
            DropUploader uploader = DropUploader.start(vfs, config);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    uploader.close();
                    vfs.close();
                } catch (VfsException e) {
                    Print.err("lafsfs: " + e.getMessage() + " (kept in the spool: it resumes at the next start)");
                } catch (java.io.IOException e) {
                    Print.err("lafsfs: stopping drop-upload: " + e.getMessage());
                } finally {
                    session.close();
                    stopped.countDown();
                }
            }, "lafsfs-drop-upload-shutdown"));
            Print.out("lafsfs: mirroring " + local.toAbsolutePath() + " into " + where + " (Ctrl-C stops)");
            stopped.await();
            return 0;
        } catch (Exception | Error e) {
            session.close();
            throw e;
        }
    }
}
