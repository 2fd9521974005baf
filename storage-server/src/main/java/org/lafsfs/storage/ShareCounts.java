package org.lafsfs.storage;

/** Shares of one kind (immutable or mutable) a lease crawler looked at and removed, with their sizes in bytes. */
public record ShareCounts(long examinedShares, long examinedBytes, long removedShares, long removedBytes) {
    public static final ShareCounts ZERO = new ShareCounts(0, 0, 0, 0);

    ShareCounts examined(long bytes) {
        return new ShareCounts(examinedShares + 1, examinedBytes + bytes, removedShares, removedBytes);
    }

    ShareCounts removed(long bytes) {
        return new ShareCounts(examinedShares, examinedBytes, removedShares + 1, removedBytes + bytes);
    }

    ShareCounts plus(ShareCounts o) {
        return new ShareCounts(examinedShares + o.examinedShares, examinedBytes + o.examinedBytes,
                removedShares + o.removedShares, removedBytes + o.removedBytes);
    }
}
