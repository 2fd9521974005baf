package org.lafsfs.sftp;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import org.lafsfs.vfs.FileSystemStats;
import org.lafsfs.vfs.Vfs;
import org.lafsfs.vfs.VfsException;

/** The grid's space as the VFS's statfs reports it (SFTP's space-available and statvfs@openssh.com). */
final class VfsFileStore extends FileStore {
    private final Vfs vfs;

    VfsFileStore(Vfs vfs) {
        this.vfs = vfs;
    }

    private FileSystemStats stats() throws IOException {
        try {
            return vfs.statfs();
        } catch (VfsException e) {
            throw NioErrors.of(e, "/");
        }
    }

    @Override
    public String name() {
        return "lafsfs";
    }

    @Override
    public String type() {
        return "tahoe-lafs";
    }

    @Override
    public boolean isReadOnly() {
        try {
            return !vfs.stat("/").writable();
        } catch (VfsException e) {
            return false;
        }
    }

    @Override
    public long getTotalSpace() throws IOException {
        return stats().totalBytes();
    }

    @Override
    public long getUsableSpace() throws IOException {
        return stats().availableBytes();
    }

    @Override
    public long getUnallocatedSpace() throws IOException {
        return stats().freeBytes();
    }

    @Override
    public long getBlockSize() throws IOException {
        return stats().blockSize();
    }

    @Override
    public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
        return type == BasicFileAttributeView.class || type == PosixFileAttributeView.class
                || type == FileOwnerAttributeView.class;
    }

    @Override
    public boolean supportsFileAttributeView(String name) {
        return name.equals("basic") || name.equals("posix") || name.equals("owner");
    }

    @Override
    public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
        return null;
    }

    @Override
    public Object getAttribute(String attribute) throws IOException {
        return switch (attribute) {
            case "totalSpace" -> getTotalSpace();
            case "usableSpace" -> getUsableSpace();
            case "unallocatedSpace" -> getUnallocatedSpace();
            default -> throw new UnsupportedOperationException("no file store attribute '" + attribute + "'");
        };
    }
}
