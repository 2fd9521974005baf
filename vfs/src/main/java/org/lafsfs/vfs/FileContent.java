package org.lafsfs.vfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.lafsfs.cache.GridCache;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableReadCap;
import org.lafsfs.core.cap.MutableWriteCap;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.immutable.ChkReader;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.core.mutable.Retrieve;

/**
 * The published contents of a file, read at random through the segment
 * cache: a literal's bytes, a CHK file (only the segments a read covers are
 * fetched, and sequential reads are read ahead by ChkReader), or one version
 * of a mutable file (fixed when opened, so a reader sees one version).
 */
abstract class FileContent {
    /** The unit the segment cache holds. */
    static final int BLOCK = 128 * 1024;

    abstract long size();

    abstract byte[] read(long offset, int length) throws IOException;

    /** As {@link #read}, into {@code dst} at {@code at}; returns how many bytes were read. */
    int read(long offset, byte[] dst, int at, int length) throws IOException {
        byte[] data = read(offset, length);
        System.arraycopy(data, 0, dst, at, data.length);
        return data.length;
    }

    static FileContent of(Grid grid, GridCache cache, Cap cap) throws IOException {
        if (cap instanceof LiteralCap lit) {
            byte[] data = lit.data();
            return new FileContent() {
                long size() {
                    return data.length;
                }

                byte[] read(long offset, int length) {
                    int from = (int) Math.min(offset, data.length);
                    return java.util.Arrays.copyOfRange(data, from, (int) Math.min(data.length, from + (long) length));
                }
            };
        }
        if (cap instanceof ChkCap chk) {
            ChkReader reader = ChkReader.on(grid, chk);
            return new Cached(cache, chk.storageIndex().orElseThrow(), "chk", chk.size()) {
                byte[] load(long offset, int length) throws IOException {
                    return reader.read(offset, length);
                }

                @Override
                int stream(long offset, byte[] out, int at, int length) throws IOException {
                    return reader.read(offset, out, at, length);
                }
            };
        }
        if (cap instanceof MutableWriteCap || cap instanceof MutableReadCap) {
            Retrieve retrieve = new MutableFileNode(grid, cap).reader();
            String version = "seq" + retrieve.version().seqnum() + "-"
                    + java.util.HexFormat.of().formatHex(retrieve.version().rootHash());
            return new Cached(cache, cap.storageIndex().orElseThrow(), version, retrieve.size()) {
                byte[] load(long offset, int length) throws IOException {
                    return retrieve.read(offset, length);
                }
            };
        }
        throw new VfsException(Errno.EINVAL, cap.kind() + " is not a file this filesystem can read");
    }

    /**
     * A staged file's spool: the whole new contents of a file whose upload has
     * not succeeded yet. The channel is opened now, so the bytes stay readable
     * even if the upload then succeeds and removes the spool.
     */
    static FileContent ofSpool(java.nio.file.Path spool) throws IOException {
        java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(spool,
                java.nio.file.StandardOpenOption.READ);
        long size = channel.size();
        return new FileContent() {
            long size() {
                return size;
            }

            byte[] read(long offset, int length) throws IOException {
                int n = (int) Math.max(0, Math.min(length, size - offset));
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(n);
                while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) >= 0) {
                    // read fully
                }
                return buffer.array();
            }
        };
    }

    /** Reads through the cache in BLOCK-sized pieces. */
    private abstract static class Cached extends FileContent {
        private final GridCache cache;
        private final org.lafsfs.core.cap.StorageIndex si;
        private final String version;
        private final long size;

        Cached(GridCache cache, org.lafsfs.core.cap.StorageIndex si, String version, long size) {
            this.cache = cache;
            this.si = si;
            this.version = version;
            this.size = size;
        }

        /** Where the last read ended: a read starting there is a stream's next. */
        private volatile long streamAt = -1;

        abstract byte[] load(long offset, int length) throws IOException;

        /**
         * For a reader streaming through the file: reads straight into {@code out}, past the cache, or
         * returns -1 where this content cannot (then the read goes through the cache). A CHK reader reads ahead
         * of a stream by itself, and a stream's segments would only push the rest out of the cache: a 1 GiB
         * get is 8 192 segments put in and evicted, each an extra copy and a wake-up of the cache's housekeeping.
         */
        int stream(long offset, byte[] out, int at, int length) throws IOException {
            return -1;
        }

        long size() {
            return size;
        }

        byte[] read(long offset, int length) throws IOException {
            byte[] out = new byte[(int) Math.max(0, Math.min(size, offset + length) - offset)];
            read(offset, out, 0, out.length);
            return out;
        }

        /** Straight from the cached blocks into {@code out}: a reader's buffer is filled with one copy. */
        @Override
        int read(long offset, byte[] out, int at, int length) throws IOException {
            long end = Math.min(size, offset + length);
            if (offset >= end) {
                return 0;
            }
            boolean streaming = offset == streamAt;
            streamAt = end;
            try {
                for (long block = offset / BLOCK; block * BLOCK < end; block++) {
                    long blockStart = block * BLOCK;
                    long from = Math.max(offset, blockStart);
                    long to = Math.min(end, blockStart + BLOCK);
                    if (streaming && streamed(block, from, to, out, at + (int) (from - offset))) {
                        continue;
                    }
                    cache.readSegment(si, version, block, b -> {
                        try {
                            return load(blockStart, BLOCK);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, (int) (from - blockStart), out, at + (int) (from - offset), (int) (to - from));
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            return (int) (end - offset);
        }

        /** Bytes {@code from}-{@code to} of {@code block}, from the cache if there, else streamed; false if neither. */
        private boolean streamed(long block, long from, long to, byte[] out, int at) throws IOException {
            int length = (int) (to - from);
            int n = cache.readCachedSegment(si, version, block, (int) (from - block * BLOCK), out, at, length);
            if (n < 0) {
                n = stream(from, out, at, length);
            }
            if (n >= 0 && n != length) {
                throw new IOException("the file ended " + (length - n) + " bytes early at " + (from + n)
                        + " of " + size);
            }
            return n >= 0;
        }
    }
}
