package org.lafsfs.vfs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file whose last handle is closing (released, not yet staged) is still the name's contents: through FUSE a
 * close(2) returns before the kernel's release reaches the VFS, so the next stat, open or rename may arrive in
 * that window. Here the window is held open while they do.
 */
class ClosingFileTest {
    @TempDir
    Path dir;

    @Test
    void whileTheLastCloseIsStagingTheNameShowsItsSizeAndAReopenWaitsForIt() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client();
            try (LafsVfs vfs = LafsVfs.open(c.grid(), c.root(), c.config())) {
                write(vfs, "/f", "hello");
                FileHandle first = vfs.open("/f", EnumSet.of(OpenOption.WRITE, OpenOption.TRUNCATE));
                byte[] firstContents = "the first writer's contents".getBytes(UTF_8);
                first.write(0, firstContents, 0, firstContents.length);

                CountDownLatch inWindow = new CountDownLatch(1);
                CountDownLatch letGo = new CountDownLatch(1);
                AtomicBoolean once = new AtomicBoolean();
                vfs.beforeStaging = () -> {
                    if (once.compareAndSet(false, true)) {
                        inWindow.countDown();
                        await(letGo);
                    }
                };
                CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> close(first));
                assertThat(inWindow.await(30, TimeUnit.SECONDS)).isTrue();

                assertThat(vfs.stat("/f").size()).as("the closing file's size, not the old entry's")
                        .isEqualTo(firstContents.length);
                CompletableFuture<FileHandle> reopening = CompletableFuture.supplyAsync(() -> open(vfs, "/f"));
                Thread.sleep(200);
                assertThat(reopening).as("a reopen waits until the closing file is staged").isNotDone();

                letGo.countDown();
                closing.get(30, TimeUnit.SECONDS);
                try (FileHandle second = reopening.get(30, TimeUnit.SECONDS)) {
                    byte[] newest = "second".getBytes(UTF_8);
                    second.write(0, newest, 0, newest.length);
                }
                vfs.sync();
                assertThat(vfs.status().failedUploads()).isEmpty();
                assertThat(read(vfs, "/f")).isEqualTo("second");
            }
        }
    }

    private static void write(Vfs vfs, String path, String text) throws VfsException {
        byte[] data = text.getBytes(UTF_8);
        try (FileHandle h = vfs.open(path, EnumSet.of(OpenOption.CREATE, OpenOption.WRITE, OpenOption.TRUNCATE))) {
            h.write(0, data, 0, data.length);
        }
    }

    private static String read(Vfs vfs, String path) throws VfsException {
        byte[] back = new byte[1024];
        try (FileHandle h = vfs.open(path, EnumSet.of(OpenOption.READ))) {
            int n = h.read(0, back, 0, back.length);
            return new String(back, 0, Math.max(0, n), UTF_8);
        }
    }

    private static FileHandle open(Vfs vfs, String path) {
        try {
            return vfs.open(path, EnumSet.of(OpenOption.WRITE, OpenOption.TRUNCATE));
        } catch (VfsException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void close(FileHandle h) {
        try {
            h.close();
        } catch (VfsException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
