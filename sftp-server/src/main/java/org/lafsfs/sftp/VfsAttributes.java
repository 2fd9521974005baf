package org.lafsfs.sftp;

import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.lafsfs.vfs.FileAttributes;

/**
 * What the VFS says about a name ({@link FileAttributes}), as java.nio and
 * MINA's SFTP code want to read it. Nothing is decided here: kind, size,
 * times and mode come from the VFS; the owner is the account's, as Tahoe
 * records none; the access time (which the grid does not keep) is the
 * modification time.
 */
record VfsAttributes(FileAttributes attributes, VfsFileSystem.Owner account) implements PosixFileAttributes {
    private static final PosixFilePermission[] BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
    };

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < BITS.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(BITS[bit]);
            }
        }
        return set;
    }

    static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (int bit = 0; bit < BITS.length; bit++) {
            if (permissions.contains(BITS[bit])) {
                mode |= 1 << bit;
            }
        }
        return mode;
    }

    /**
     * Every attribute MINA's SFTP code writes into a reply (names as in its
     * IoUtils): sizes, kind, permissions, times, owner and group by name
     * (SFTP v4+) and by number (v3).
     */
    NavigableMap<String, Object> sftpMap() {
        NavigableMap<String, Object> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        map.put("size", size());
        map.put("isRegularFile", isRegularFile());
        map.put("isDirectory", isDirectory());
        map.put("isSymbolicLink", false);
        map.put("isOther", false);
        map.put("permissions", permissions());
        map.put("lastModifiedTime", lastModifiedTime());
        map.put("lastAccessTime", lastAccessTime());
        map.put("creationTime", creationTime());
        map.put("owner", account.name());
        map.put("group", account.name());
        map.put("uid", account.uid());
        map.put("gid", account.gid());
        return map;
    }

    /** The attributes of one view ("basic", "posix", "owner" or "unix"), as Files.readAttributes(path, "view:*"). */
    NavigableMap<String, Object> view(String view) {
        NavigableMap<String, Object> map = new TreeMap<>();
        switch (view) {
            case "owner" -> {
                map.put("owner", account);
                return map;
            }
            case "basic", "posix", "unix" -> {
                map.put("lastModifiedTime", lastModifiedTime());
                map.put("lastAccessTime", lastAccessTime());
                map.put("creationTime", creationTime());
                map.put("size", size());
                map.put("isRegularFile", isRegularFile());
                map.put("isDirectory", isDirectory());
                map.put("isSymbolicLink", false);
                map.put("isOther", false);
                map.put("fileKey", null);
            }
            default -> throw new UnsupportedOperationException("no attribute view '" + view + "' here");
        }
        if (!view.equals("basic")) {
            map.put("permissions", permissions());
            map.put("owner", account);
            map.put("group", account);
        }
        if (view.equals("unix")) {
            map.put("uid", account.uid());
            map.put("gid", account.gid());
            map.put("mode", (isDirectory() ? 0040000 : 0100000) | (attributes.mode() & 07777));
            map.put("nlink", 1);
        }
        return map;
    }

    @Override
    public FileTime lastModifiedTime() {
        return FileTime.from(attributes.modified());
    }

    @Override
    public FileTime lastAccessTime() {
        return lastModifiedTime();
    }

    @Override
    public FileTime creationTime() {
        return attributes.created() != null ? FileTime.from(attributes.created()) : lastModifiedTime();
    }

    @Override
    public boolean isRegularFile() {
        return !attributes.isDirectory();
    }

    @Override
    public boolean isDirectory() {
        return attributes.isDirectory();
    }

    @Override
    public boolean isSymbolicLink() {
        return false;
    }

    @Override
    public boolean isOther() {
        return false;
    }

    @Override
    public long size() {
        return attributes.size();
    }

    @Override
    public Object fileKey() {
        return null;
    }

    @Override
    public UserPrincipal owner() {
        return account;
    }

    @Override
    public GroupPrincipal group() {
        return account;
    }

    @Override
    public Set<PosixFilePermission> permissions() {
        return permissions(attributes.mode());
    }
}
