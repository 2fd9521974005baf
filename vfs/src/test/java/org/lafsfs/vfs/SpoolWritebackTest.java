package org.lafsfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A large file's spool goes to disk while it is written, so that the close's force has little left to do. */
class SpoolWritebackTest {
    @TempDir
    Path dir;

    @Test
    void everyStepOfWrittenBytesIsFlushedBehindTheWriterWhoseBytesStayAsWritten() throws Exception {
        OpenFile file = new OpenFile(() -> dir.resolve("spool"), spool -> null, null, "big.bin", null, null);
        long before = OpenFile.backgroundFlushes();
        byte[] chunk = new byte[1 << 20];
        int perStep = (int) (OpenFile.WRITEBACK_STEP / chunk.length);
        int chunks = 0;
        for (int step = 1; step <= 2; step++) {
            for (; chunks < step * perStep; chunks++) {
                Arrays.fill(chunk, (byte) chunks);
                file.write((long) chunks * chunk.length, chunk, 0, chunk.length);
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (OpenFile.backgroundFlushes() - before < step && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(OpenFile.backgroundFlushes() - before).as("flushes after step " + step)
                    .isGreaterThanOrEqualTo(step);
        }
        byte[] back = new byte[chunk.length];
        for (int i : new int[] {0, 64, chunks - 1}) {
            assertThat(file.read((long) i * chunk.length, back, 0, back.length)).isEqualTo(back.length);
            byte[] expected = new byte[chunk.length];
            Arrays.fill(expected, (byte) i);
            assertThat(back).as("chunk " + i).isEqualTo(expected);
        }
        file.complete();
        file.closeSpool();
    }
}
