package org.lafsfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In safe mode a close waits up to {@code closeWait} for its upload, so that a failure is the close's answer; an
 * upload the recent pace says cannot finish in that time is waited for only until its shares are placed (a grid
 * that is down or full has answered by then): the data is safe in the spool, and the rest of the wait could only
 * end in the timeout. Whenever such a close returns or fails before its upload finished, its staged file is
 * forced to disk first.
 */
class CloseWaitTest {
    private static final EnumSet<OpenOption> CREATE_WRITE = EnumSet.of(OpenOption.CREATE, OpenOption.WRITE);

    @TempDir
    Path dir;

    @Test
    void whileThePaceIsUnknownACloseWaitsAndReportsTheUploadsFailure() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            LafsVfs vfs = open(fixture.client().with(c -> c.withCloseWait(Duration.ofSeconds(10))));
            try {
                FileHandle h = vfs.open("/large.bin", CREATE_WRITE);
                write(h, random(4 << 20, 1));
                fixture.serversDown();
                VfsException failed = catchThrowableOfType(h::close, VfsException.class);
                assertThat(failed).as("the upload's failure, returned by the close that waited for it").isNotNull();
                assertThat(failed.errno()).isEqualTo(Errno.EIO);
                assertThat(vfs.stagedFilesDurable()).as("kept in the spool, forced, as the error says").isTrue();
            } finally {
                vfs.abandon(); // the failed upload stays staged; nothing here retries it
            }
        }
    }

    @Test
    void aCloseWhoseUploadWouldOutlastTheWaitReturnsOnceItsSharesArePlaced() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client().with(config -> config.withCloseWait(Duration.ofMillis(500)));
            byte[] large = random(8 << 20, 2);
            try (LafsVfs vfs = open(c)) {
                measureASlowPace(fixture, vfs);
                FileHandle h = vfs.open("/large.bin", CREATE_WRITE);
                write(h, large);
                h.close(); // returns once placed: the rest needs more round trips of 50 ms each
                assertThat(vfs.status().pendingUploads()).as("the upload the close left to the spool")
                        .anyMatch(s -> s.contains("large.bin"));
                assertThat(vfs.stagedFilesDurable()).as("what the close left to the spool is forced").isTrue();
                fixture.serversUp();
                vfs.sync();
                assertThat(vfs.status().failedUploads()).isEmpty();
            }
            try (LafsVfs other = open(fixture.client())) {
                assertThat(read(other, "/large.bin", large.length)).isEqualTo(large);
            }
        }
    }

    @Test
    void aGridThatRefusesTheUploadIsStillReportedByTheClose() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client().with(config -> config.withCloseWait(Duration.ofMillis(500)));
            LafsVfs vfs = open(c);
            try {
                measureASlowPace(fixture, vfs);
                FileHandle h = vfs.open("/large.bin", CREATE_WRITE);
                write(h, random(8 << 20, 4));
                fixture.serversDown();
                VfsException failed = catchThrowableOfType(h::close, VfsException.class);
                assertThat(failed).as("placement failed before the close stopped waiting").isNotNull();
                assertThat(failed.errno()).isEqualTo(Errno.EIO);
                assertThat(vfs.stagedFilesDurable()).as("kept in the spool, forced, as the error says").isTrue();
            } finally {
                vfs.abandon(); // the failed upload stays staged; nothing here retries it
            }
        }
    }

    /**
     * Servers answering 50 ms late make a 1 MiB upload take several round trips: a pace under 7 MB/s, at which
     * 8 MiB needs more than a second, twice the 500 ms the closes here wait.
     */
    private static void measureASlowPace(VfsFixture fixture, LafsVfs vfs) throws Exception {
        fixture.slowServers(50);
        try (FileHandle first = vfs.open("/first.bin", CREATE_WRITE)) {
            write(first, random(1 << 20, 3));
        }
        vfs.sync(); // the first upload is measured
    }

    private static LafsVfs open(VfsFixture.Client c) throws Exception {
        return LafsVfs.open(c.grid(), c.root(), c.config());
    }

    private static void write(FileHandle h, byte[] data) throws VfsException {
        for (int at = 0; at < data.length; at += 1 << 20) {
            h.write(at, data, at, Math.min(1 << 20, data.length - at));
        }
    }

    private static byte[] read(Vfs vfs, String path, int size) throws VfsException {
        byte[] back = new byte[size];
        try (FileHandle h = vfs.open(path, EnumSet.of(OpenOption.READ))) {
            int at = 0;
            while (at < size) {
                int n = h.read(at, back, at, size - at);
                if (n <= 0) {
                    break;
                }
                at += n;
            }
        }
        return back;
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }
}
