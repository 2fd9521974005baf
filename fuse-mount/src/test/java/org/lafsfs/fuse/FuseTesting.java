package org.lafsfs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.lafsfs.vfs.Vfs;

/**
 * Mounting in tests. These tests need a real kernel FUSE mount (/dev/fuse,
 * libfuse 2, and the right to mount): where that is missing they fail under
 * CI=true (.ci/run installs libfuse2 and fuse3) and are skipped elsewhere.
 */
final class FuseTesting {
    private static Path mountsDir;

    private FuseTesting() {
    }

    static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** A new, empty mount point in a directory of this JVM's own (never under a test's @TempDir). */
    static synchronized Path newMountPoint() throws IOException {
        if (mountsDir == null) {
            mountsDir = Files.createTempDirectory("lafsfs-fuse-test-");
            mountsDir.toFile().deleteOnExit();
        }
        return Files.createTempDirectory(mountsDir, "mnt-");
    }

    /** Mounts {@code vfs} at a new mount point, or fails (CI) or skips (elsewhere) when FUSE cannot mount here. */
    static FuseMount mount(Vfs vfs, FuseMount.Options options) throws IOException {
        Path mountPoint = newMountPoint();
        try {
            return FuseMount.mount(vfs, mountPoint, options);
        } catch (IOException e) {
            Files.deleteIfExists(mountPoint);
            String why = "a FUSE mount is not possible here: " + e.getMessage();
            if (onCi()) {
                Assertions.fail(why + " (CI=true: .ci/run installs libfuse2 and fuse3)", e);
            }
            Assumptions.abort(why);
            throw e; // not reached
        }
    }

    /** Removes a mount point once its mount is gone (never recursing into a mount that is still there). */
    static void removeMountPoint(Path mountPoint) {
        try {
            if (MountTable.at(mountPoint).isEmpty()) {
                Files.deleteIfExists(mountPoint);
            }
        } catch (IOException e) {
            // a directory left in the JVM's temporary directory
        }
    }
}
