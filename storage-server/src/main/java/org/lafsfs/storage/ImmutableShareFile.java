package org.lafsfs.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Tahoe's immutable share container: a 12-byte header (container version,
 * a data length field nobody reads, lease count), the share data, then 72-byte
 * lease records ({@code >L32s32sL}: owner, renew secret, cancel secret,
 * expiration). The data length is what lies between header and leases.
 * Versions 1 (clear lease secrets) and 2 (hashed) are read; new shares are
 * written as version 2, as Tahoe 1.20 does.
 */
final class ImmutableShareFile {
    static final int HEADER_SIZE = 12;
    static final int LEASE_SIZE = 72;
    static final int NEWEST_VERSION = 2;

    private final Path path;
    private final int version;
    private final long dataLength;
    private final int leaseCount;

    private ImmutableShareFile(Path path, int version, long dataLength, int leaseCount) {
        this.path = path;
        this.version = version;
        this.dataLength = dataLength;
        this.leaseCount = leaseCount;
    }

    static ImmutableShareFile open(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer header = readFully(ch, 0, HEADER_SIZE);
            int version = header.getInt();
            header.getInt();
            long leases = Integer.toUnsignedLong(header.getInt());
            if (version != 1 && version != 2) {
                throw new IOException(path + " is not an immutable share container (version " + version + ")");
            }
            long dataLength = ch.size() - HEADER_SIZE - leases * LEASE_SIZE;
            if (dataLength < 0) {
                throw new IOException(path + " is shorter than its " + leases + " lease records");
            }
            return new ImmutableShareFile(path, version, dataLength, (int) leases);
        }
    }

    /** Whether the first bytes of a file are an immutable container header. */
    static boolean isImmutable(ByteBuffer firstBytes) {
        if (firstBytes.remaining() < 4) {
            return false;
        }
        int version = firstBytes.getInt(firstBytes.position());
        return version == 1 || version == 2;
    }

    /** The header of a new container of version 2 that will hold {@code dataLength} bytes. */
    static ByteBuffer newHeader(long dataLength) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
        header.putInt(NEWEST_VERSION).putInt((int) Math.min(0xffffffffL, dataLength)).putInt(0);
        return header.flip();
    }

    long dataLength() {
        return dataLength;
    }

    int version() {
        return version;
    }

    /** Reads up to {@code length} bytes of share data at {@code offset}; fewer at the end. */
    byte[] read(long offset, int length) throws IOException {
        long available = Math.max(0, Math.min(length, dataLength - offset));
        if (offset < 0 || available == 0) {
            return new byte[0];
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return readFully(ch, HEADER_SIZE + offset, (int) available).array();
        }
    }

    List<Lease> leases() throws IOException {
        List<Lease> leases = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = readFully(ch, HEADER_SIZE + dataLength, leaseCount * LEASE_SIZE);
            for (int i = 0; i < leaseCount; i++) {
                int owner = b.getInt();
                byte[] renew = new byte[32];
                byte[] cancel = new byte[32];
                b.get(renew).get(cancel);
                long expiration = Integer.toUnsignedLong(b.getInt());
                leases.add(new Lease(owner, renew, cancel, expiration, new byte[20], version >= 2));
            }
        }
        return leases;
    }

    /** Renews the lease with the same renew secret, or appends a new one; durable on return. */
    void addOrRenewLease(Lease lease) throws IOException {
        addOrRenewLease(lease, true);
    }

    /**
     * As {@link #addOrRenewLease(Lease)}; with {@code force} false the caller makes it durable with the rest of
     * the file (a completed upload forces its data and its first lease at once).
     */
    void addOrRenewLease(Lease lease, boolean force) throws IOException {
        List<Lease> leases = leases();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            boolean renewed = false;
            for (int i = 0; i < leases.size() && !renewed; i++) {
                if (leases.get(i).matchesRenewSecret(lease.renewSecret())) {
                    writeLease(ch, i, leases.get(i).renewedUntil(lease.expirationTime()));
                    renewed = true;
                }
            }
            if (!renewed) {
                writeLease(ch, leases.size(), lease.forContainerVersion(version));
                ByteBuffer count = ByteBuffer.allocate(4).putInt(leases.size() + 1).flip();
                ch.write(count, 8);
            }
            if (force) {
                ch.force(false);
            }
        }
    }

    private void writeLease(FileChannel ch, int index, Lease lease) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(LEASE_SIZE);
        b.putInt(lease.ownerNumber()).put(lease.renewSecret()).put(lease.cancelSecret())
                .putInt((int) lease.expirationTime());
        b.flip();
        long at = HEADER_SIZE + dataLength + (long) index * LEASE_SIZE;
        while (b.hasRemaining()) {
            at += ch.write(b, at);
        }
    }

    static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new IOException("share file ends before byte " + (position + length));
            }
        }
        return b.flip();
    }
}
