package org.lafsfs.sftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SeekableByteChannel;
import org.lafsfs.vfs.FileHandle;
import org.lafsfs.vfs.VfsException;

/**
 * An open file of the VFS as the channel MINA's SFTP code reads and writes
 * at positions. Failures are the VFS's own {@link VfsException}s; closing
 * the channel closes the VFS handle, and so reports the upload's outcome
 * (Tahoe ticket #1059: a failed upload must fail the client's close).
 *
 * <p>Unlike {@link SeekableByteChannel#truncate}, {@link #truncate} also
 * grows the file: an SFTP setstat of the size means ftruncate(2).
 */
final class VfsChannel implements SeekableByteChannel {
    private final FileHandle handle;
    private long position;
    private boolean open = true;

    VfsChannel(FileHandle handle) {
        this.handle = handle;
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (!dst.hasRemaining()) {
            return 0;
        }
        int n;
        if (dst.hasArray()) {
            n = handle.read(position, dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            if (n > 0) {
                dst.position(dst.position() + n);
            }
        } else {
            byte[] buffer = new byte[dst.remaining()];
            n = handle.read(position, buffer, 0, buffer.length);
            if (n > 0) {
                dst.put(buffer, 0, n);
            }
        }
        if (n <= 0) {
            return -1;
        }
        position += n;
        return n;
    }

    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
        ensureOpen();
        int n = src.remaining();
        if (src.hasArray()) {
            handle.write(position, src.array(), src.arrayOffset() + src.position(), n);
            src.position(src.position() + n);
        } else {
            byte[] buffer = new byte[n];
            src.get(buffer);
            handle.write(position, buffer, 0, n);
        }
        position += n;
        return n;
    }

    @Override
    public synchronized long position() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public synchronized SeekableByteChannel position(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        position = newPosition;
        return this;
    }

    @Override
    public synchronized long size() throws IOException {
        ensureOpen();
        return handle.size();
    }

    @Override
    public synchronized SeekableByteChannel truncate(long size) throws IOException {
        ensureOpen();
        handle.truncate(size);
        position = Math.min(position, size);
        return this;
    }

    /** fsync(2): returns once what was written is on the grid, or says why not. */
    synchronized void fsync() throws VfsException {
        if (open) {
            handle.fsync();
        }
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    @Override
    public synchronized void close() throws IOException {
        if (open) {
            open = false;
            handle.close();
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
