package org.lafsfs.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lafsfs.core.crypto.Sha256d;

/**
 * Tahoe's mutable share container ("slot"): a 32-byte magic naming the
 * container version, the node id and write enabler recorded when the share
 * was created, the data length, the offset of the extra-lease area, four
 * 92-byte lease slots, the share data from byte 468, and after the data a
 * count and further leases. Growing the data moves the extra leases up.
 * Versions 1 and 2 (hashed lease secrets) are read; new shares are version 2.
 */
final class MutableShareFile {
    static final int HEADER_SIZE = 100;
    static final int LEASE_SIZE = 92;
    static final int DATA_OFFSET = HEADER_SIZE + 4 * LEASE_SIZE;
    private static final int WRITE_ENABLER_NODE_ID = 32;
    private static final int WRITE_ENABLER = 52;
    private static final int DATA_LENGTH = 84;
    private static final int EXTRA_LEASE_OFFSET = 92;
    private static final byte[] MAGIC_V1 = magic(1);
    private static final byte[] MAGIC_V2 = magic(2);

    private final Path path;
    private final int version;

    private MutableShareFile(Path path, int version) {
        this.path = path;
        this.version = version;
    }

    private static byte[] magic(int version) {
        byte[] text = ("Tahoe mutable container v" + version + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = version == 1 ? new byte[] {0x75, 0x09, 0x44, 0x03, (byte) 0x8e}
                : Sha256d.tagged("allmydata_mutable_container_header".getBytes(StandardCharsets.US_ASCII), 5)
                        .update(text).digest();
        byte[] magic = Arrays.copyOf(text, 32);
        System.arraycopy(tail, 0, magic, text.length, 5);
        return magic;
    }

    /** The container version named by a file's first 32 bytes, or 0 if it is not a mutable container. */
    static int versionOf(ByteBuffer firstBytes) {
        if (firstBytes.remaining() < 32) {
            return 0;
        }
        byte[] magic = new byte[32];
        firstBytes.get(firstBytes.position(), magic);
        return Arrays.equals(magic, MAGIC_V2) ? 2 : Arrays.equals(magic, MAGIC_V1) ? 1 : 0;
    }

    static MutableShareFile open(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            int version = versionOf(ImmutableShareFile.readFully(ch, 0, 32));
            if (version == 0) {
                throw new IOException(path + " is not a mutable share container");
            }
            return new MutableShareFile(path, version);
        }
    }

    /** Creates an empty version-2 container; not durable until the first {@link #force}. */
    static MutableShareFile create(Path path, byte[] nodeId, byte[] writeEnabler) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(DATA_OFFSET + 4);
        b.put(MAGIC_V2).put(nodeId).put(writeEnabler).putLong(0).putLong(DATA_OFFSET);
        b.position(DATA_OFFSET).putInt(0).flip();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            write(ch, 0, b);
        }
        return new MutableShareFile(path, 2);
    }

    int version() {
        return version;
    }

    /** Whether {@code writeEnabler} is the one recorded when the share was created (constant time). */
    boolean checkWriteEnabler(byte[] writeEnabler) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            byte[] recorded = new byte[32];
            ImmutableShareFile.readFully(ch, WRITE_ENABLER, 32).get(recorded);
            return MessageDigest.isEqual(recorded, writeEnabler);
        }
    }

    byte[] writeEnablerNodeId() throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            byte[] id = new byte[20];
            ImmutableShareFile.readFully(ch, WRITE_ENABLER_NODE_ID, 20).get(id);
            return id;
        }
    }

    long dataLength() throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return ImmutableShareFile.readFully(ch, DATA_LENGTH, 8).getLong();
        }
    }

    /** Up to {@code length} bytes at {@code offset}; reads past the data are short (possibly empty). */
    byte[] read(long offset, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(ch, offset, length);
        }
    }

    private static byte[] read(FileChannel ch, long offset, long length) throws IOException {
        long dataLength = ImmutableShareFile.readFully(ch, DATA_LENGTH, 8).getLong();
        long available = Math.max(0, Math.min(length, dataLength - offset));
        if (available == 0) {
            return new byte[0];
        }
        if (available > Integer.MAX_VALUE - 8) {
            throw new IOException("read of " + available + " bytes is too large for one request");
        }
        return ImmutableShareFile.readFully(ch, DATA_OFFSET + offset, (int) available).array();
    }

    /**
     * Applies writes, then an optional new length that can only shrink the data
     * (Tahoe's semantics: writes past the end grow it, gaps are zero-filled).
     */
    void write(List<byte[]> datas, List<Long> offsets, Long newLength) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (int i = 0; i < datas.size(); i++) {
                writeData(ch, offsets.get(i), datas.get(i));
            }
            if (newLength != null) {
                long current = ImmutableShareFile.readFully(ch, DATA_LENGTH, 8).getLong();
                if (newLength < current) {
                    write(ch, DATA_LENGTH, ByteBuffer.allocate(8).putLong(newLength).flip());
                }
            }
        }
    }

    private void writeData(FileChannel ch, long offset, byte[] data) throws IOException {
        ByteBuffer header = ImmutableShareFile.readFully(ch, DATA_LENGTH, 16);
        long dataLength = header.getLong();
        long extraLeaseOffset = header.getLong();
        long end = offset + data.length;
        if (end >= dataLength) {
            if (DATA_OFFSET + end > extraLeaseOffset) {
                moveExtraLeases(ch, extraLeaseOffset, DATA_OFFSET + end);
            }
            // Zero-fill a gap explicitly (bytes beyond an earlier truncation must not reappear), in pieces.
            ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            for (long at = dataLength; at < offset; at += zeros.capacity()) {
                write(ch, DATA_OFFSET + at, zeros.clear().limit((int) Math.min(zeros.capacity(), offset - at)));
            }
            write(ch, DATA_LENGTH, ByteBuffer.allocate(8).putLong(end).flip());
        }
        write(ch, DATA_OFFSET + offset, ByteBuffer.wrap(data));
    }

    private void moveExtraLeases(FileChannel ch, long from, long to) throws IOException {
        int count = ImmutableShareFile.readFully(ch, from, 4).getInt();
        int size = 4 + count * LEASE_SIZE;
        ByteBuffer block = ImmutableShareFile.readFully(ch, from, size);
        write(ch, from, ByteBuffer.allocate(size));
        write(ch, to, block);
        write(ch, EXTRA_LEASE_OFFSET, ByteBuffer.allocate(8).putLong(to).flip());
    }

    List<Lease> leases() throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            List<Lease> leases = new ArrayList<>();
            for (long at : leaseSlots(ch)) {
                Lease lease = readLease(ch, at);
                if (lease.ownerNumber() != 0) {
                    leases.add(lease);
                }
            }
            return leases;
        }
    }

    /** Renews the lease with the same renew secret, else fills an empty slot, else appends one. */
    void addOrRenewLease(Lease lease) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            List<Long> slots = leaseSlots(ch);
            Long empty = null;
            for (long at : slots) {
                Lease existing = readLease(ch, at);
                if (existing.ownerNumber() != 0 && existing.matchesRenewSecret(lease.renewSecret())) {
                    writeLease(ch, at, existing.renewedUntil(lease.expirationTime()));
                    return;
                }
                if (existing.ownerNumber() == 0 && empty == null) {
                    empty = at;
                }
            }
            Lease stored = lease.forContainerVersion(version);
            if (empty != null) {
                writeLease(ch, empty, stored);
                return;
            }
            long extraOffset = ImmutableShareFile.readFully(ch, EXTRA_LEASE_OFFSET, 8).getLong();
            int count = ImmutableShareFile.readFully(ch, extraOffset, 4).getInt();
            writeLease(ch, extraOffset + 4 + (long) count * LEASE_SIZE, stored);
            write(ch, extraOffset, ByteBuffer.allocate(4).putInt(count + 1).flip());
        }
    }

    void force() throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static List<Long> leaseSlots(FileChannel ch) throws IOException {
        List<Long> slots = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            slots.add((long) HEADER_SIZE + (long) i * LEASE_SIZE);
        }
        long extraOffset = ImmutableShareFile.readFully(ch, EXTRA_LEASE_OFFSET, 8).getLong();
        if (extraOffset + 4 <= ch.size()) {
            int count = ImmutableShareFile.readFully(ch, extraOffset, 4).getInt();
            for (int i = 0; i < count; i++) {
                slots.add(extraOffset + 4 + (long) i * LEASE_SIZE);
            }
        }
        return slots;
    }

    private Lease readLease(FileChannel ch, long at) throws IOException {
        ByteBuffer b = ImmutableShareFile.readFully(ch, at, LEASE_SIZE);
        int owner = b.getInt();
        long expiration = Integer.toUnsignedLong(b.getInt());
        byte[] renew = new byte[32];
        byte[] cancel = new byte[32];
        byte[] nodeId = new byte[20];
        b.get(renew).get(cancel).get(nodeId);
        return new Lease(owner, renew, cancel, expiration, nodeId, version >= 2);
    }

    private static void writeLease(FileChannel ch, long at, Lease lease) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(LEASE_SIZE);
        b.putInt(lease.ownerNumber()).putInt((int) lease.expirationTime()).put(lease.renewSecret())
                .put(lease.cancelSecret()).put(lease.nodeId());
        write(ch, at, b.flip());
    }

    private static void write(FileChannel ch, long position, ByteBuffer b) throws IOException {
        long at = position;
        while (b.hasRemaining()) {
            at += ch.write(b, at);
        }
    }
}
