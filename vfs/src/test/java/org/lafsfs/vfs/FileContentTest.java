package org.lafsfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.cache.GridCache;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.immutable.ChkUploader;
import org.lafsfs.core.immutable.UploadSource;

/**
 * A CHK file's contents are read through the segment cache, except by a reader streaming through it: each read
 * that starts where the last one ended is served from the cache if its block is there, else straight from the
 * file's reader (which reads ahead by itself), and leaves nothing in the cache.
 */
class FileContentTest {
    private static final int BLOCK = FileContent.BLOCK;

    @TempDir
    Path dir;

    @Test
    void aStreamIsReadWholeAndLeavesTheCacheAsItFoundIt() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            Grid grid = fixture.client().grid();
            byte[] data = randomBytes(5 * BLOCK + 1234);
            ChkCap cap = upload(grid, data);
            GridCache cache = new GridCache(VfsFixture.cacheConfig());
            StorageIndex si = cap.storageIndex().orElseThrow();

            FileContent content = FileContent.of(grid, cache, cap);
            byte[] read = new byte[data.length];
            for (int at = 0; at < data.length; at += 32 * 1024) {
                int n = Math.min(32 * 1024, data.length - at);
                assertThat(content.read(at, read, at, n)).isEqualTo(n);
            }

            assertThat(read).isEqualTo(data);
            assertThat(cache.segmentIfPresent(si, "chk", 0)).as("the first read is not yet a stream's").isPresent();
            for (int block = 1; block <= 5; block++) {
                assertThat(cache.segmentIfPresent(si, "chk", block)).as("block %d", block).isEmpty();
            }
        }
    }

    @Test
    void readsHereAndThereGoThroughTheCacheAndAStreamUsesWhatIsThere() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            Grid grid = fixture.client().grid();
            byte[] data = randomBytes(4 * BLOCK);
            ChkCap cap = upload(grid, data);
            GridCache cache = new GridCache(VfsFixture.cacheConfig());
            StorageIndex si = cap.storageIndex().orElseThrow();

            FileContent jumping = FileContent.of(grid, cache, cap);
            assertThat(jumping.read(3L * BLOCK + 10, 100)).isEqualTo(Arrays.copyOfRange(data, 3 * BLOCK + 10,
                    3 * BLOCK + 110));
            assertThat(jumping.read(BLOCK + 5, 50)).isEqualTo(Arrays.copyOfRange(data, BLOCK + 5, BLOCK + 55));
            assertThat(cache.segmentIfPresent(si, "chk", 3)).isPresent();
            assertThat(cache.segmentIfPresent(si, "chk", 1)).isPresent();

            // A second reader streams from the start, across the cached blocks and the others, reading
            // across block boundaries.
            FileContent streaming = FileContent.of(grid, cache, cap);
            byte[] read = new byte[data.length];
            int step = 100_000;
            for (int at = 0; at < data.length; at += step) {
                streaming.read(at, read, at, Math.min(step, data.length - at));
            }
            assertThat(read).isEqualTo(data);
            assertThat(cache.segmentIfPresent(si, "chk", 2)).as("streamed past, not kept").isEmpty();
        }
    }

    private static ChkCap upload(Grid grid, byte[] data) throws Exception {
        byte[] convergence = new byte[32];
        new SecureRandom().nextBytes(convergence);
        return (ChkCap) new ChkUploader(grid.servers(), grid.params(), convergence, grid.secrets())
                .upload(UploadSource.of(data)).cap();
    }

    private static byte[] randomBytes(int n) {
        byte[] data = new byte[n];
        new Random(n).nextBytes(data);
        return data;
    }
}
