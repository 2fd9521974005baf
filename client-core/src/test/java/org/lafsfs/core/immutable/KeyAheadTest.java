package org.lafsfs.core.immutable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.crypto.Hashes;

/** The convergent key hashed while a file is written: the same key as hashing it whole, or none at all. */
class KeyAheadTest {
    private static final EncodingParameters PARAMS = new EncodingParameters(3, 7, 10, 64 * 1024);
    private static final byte[] SECRET = "a convergence secret".getBytes();

    @TempDir
    Path dir;

    private final byte[] data = new byte[5 << 20];

    KeyAheadTest() {
        new Random(7).nextBytes(data);
    }

    /** Writes data[from, to) at the same offset and tells the hasher, as the VFS does after each write. */
    private void write(FileChannel ch, KeyAhead ahead, int from, int to) throws IOException {
        ch.write(ByteBuffer.wrap(data, from, to - from), from);
        ahead.written(from, to - from);
    }

    private byte[] wholeFileKey(int size) {
        int segmentSize = ChkEncoder.segmentSizeFor(size, PARAMS.maxSegmentSize(), 3);
        return Hashes.convergenceHasher(3, 10, segmentSize, SECRET).update(data, 0, size).digest();
    }

    private byte[] key(KeyAhead ahead, Path file) throws IOException {
        long size = java.nio.file.Files.size(file);
        int segmentSize = ChkEncoder.segmentSizeFor(size, PARAMS.maxSegmentSize(), 3);
        return ahead.key(UploadSource.of(file, ahead), 3, 10, segmentSize, SECRET);
    }

    @Test
    void aFileWrittenFrontToBackGetsTheKeyOfHashingItWholeMostlyHashedBeforeTheUploadAsks() throws Exception {
        Path file = dir.resolve("spool");
        KeyAhead ahead = new KeyAhead(file, PARAMS, SECRET);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int at = 0; at < data.length; at += 100_000) {
                write(ch, ahead, at, Math.min(data.length, at + 100_000));
            }
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (ahead.hashedSoFar() < 4 << 20 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(ahead.hashedSoFar()).isGreaterThanOrEqualTo(4 << 20);
        byte[] key = key(ahead, file);
        assertThat(key).isEqualTo(wholeFileKey(data.length));
        assertThat(key(ahead, file)).as("asked again, by a retried upload").isEqualTo(key);
    }

    @Test
    void aWriteOutOfOrderOrATruncationIntoTheWrittenBytesLeavesTheKeyToTheUpload() throws Exception {
        Path gap = dir.resolve("gap");
        Path rewrite = dir.resolve("rewrite");
        Path cut = dir.resolve("cut");
        Path extended = dir.resolve("extended");
        for (Path file : new Path[] {gap, rewrite, cut, extended}) {
            KeyAhead ahead = new KeyAhead(file, PARAMS, SECRET);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                write(ch, ahead, 0, 3 << 20);
                if (file == gap) {
                    write(ch, ahead, (3 << 20) + 10, data.length);
                    write(ch, ahead, 3 << 20, (3 << 20) + 10); // the gap filled, but after
                } else if (file == rewrite) {
                    write(ch, ahead, 3 << 20, data.length);
                    write(ch, ahead, 100, 200); // the same bytes again: the file is right, the claim is not made
                } else if (file == cut) {
                    write(ch, ahead, 3 << 20, data.length);
                    ch.truncate(1 << 20);
                    ahead.truncated(1 << 20);
                    write(ch, ahead, 1 << 20, data.length);
                } else {
                    ch.write(ByteBuffer.wrap(new byte[1]), data.length - 1); // a hole up to the new end
                    ahead.truncated(data.length);
                }
            }
            assertThat(ahead.usable()).as(file.getFileName().toString()).isEqualTo(file == extended);
            assertThat(key(ahead, file)).as(file.getFileName().toString()).isNull();
        }
    }

    @Test
    void aFileSmallerThanASegmentOrAnUploadWithOtherParametersHashesItself() throws Exception {
        Path small = dir.resolve("small");
        KeyAhead ahead = new KeyAhead(small, PARAMS, SECRET);
        try (FileChannel ch = FileChannel.open(small, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            write(ch, ahead, 0, 60_000);
        }
        assertThat(key(ahead, small)).isNull();

        Path big = dir.resolve("big");
        ahead = new KeyAhead(big, PARAMS, SECRET);
        try (FileChannel ch = FileChannel.open(big, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            write(ch, ahead, 0, data.length);
        }
        int segmentSize = ChkEncoder.segmentSizeFor(data.length, PARAMS.maxSegmentSize(), 3);
        assertThat(ahead.key(UploadSource.of(big, ahead), 2, 10, segmentSize, SECRET)).isNull();
        assertThat(ahead.key(UploadSource.of(big, ahead), 3, 10, segmentSize, "another".getBytes())).isNull();
    }
}
