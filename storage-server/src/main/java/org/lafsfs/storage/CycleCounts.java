package org.lafsfs.storage;

/**
 * What one lease-crawler cycle (or the part of it done so far) examined and
 * reclaimed: immutable and mutable shares separately, and the bucket
 * (storage index) directories removed because their last share went.
 */
public record CycleCounts(ShareCounts immutable, ShareCounts mutable, long removedBuckets) {
    public static final CycleCounts ZERO = new CycleCounts(ShareCounts.ZERO, ShareCounts.ZERO, 0);

    CycleCounts plus(CycleCounts o) {
        return new CycleCounts(immutable.plus(o.immutable), mutable.plus(o.mutable), removedBuckets + o.removedBuckets);
    }

    CycleCounts examined(boolean mutable, long bytes) {
        return mutable ? new CycleCounts(immutable, this.mutable.examined(bytes), removedBuckets)
                : new CycleCounts(immutable.examined(bytes), this.mutable, removedBuckets);
    }

    CycleCounts removed(boolean mutable, long bytes) {
        return mutable ? new CycleCounts(immutable, this.mutable.removed(bytes), removedBuckets)
                : new CycleCounts(immutable.removed(bytes), this.mutable, removedBuckets);
    }

    CycleCounts removedBucket() {
        return new CycleCounts(immutable, mutable, removedBuckets + 1);
    }

    /** For the log: "examined 12 immutable (3400 bytes) and 2 mutable (900 bytes) shares; removed ...". */
    String describe() {
        return "examined " + immutable.examinedShares() + " immutable (" + immutable.examinedBytes() + " bytes) and "
                + mutable.examinedShares() + " mutable (" + mutable.examinedBytes() + " bytes) shares; removed "
                + immutable.removedShares() + " immutable (" + immutable.removedBytes() + " bytes) and "
                + mutable.removedShares() + " mutable (" + mutable.removedBytes() + " bytes) shares and "
                + removedBuckets + " empty bucket directories";
    }
}
