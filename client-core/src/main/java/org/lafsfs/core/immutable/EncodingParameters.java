package org.lafsfs.core.immutable;

/**
 * Tahoe's encoding parameters ([client] shares.needed / shares.happy /
 * shares.total in tahoe.cfg) and the maximum immutable segment size.
 */
public record EncodingParameters(int needed, int happy, int total, long maxSegmentSize) {
    public static final EncodingParameters DEFAULT = new EncodingParameters(3, 7, 10, 1024 * 1024);

    public EncodingParameters {
        if (needed < 1 || needed > total || total > 256 || happy < 1 || happy > total) {
            throw new IllegalArgumentException("shares.needed=" + needed + " shares.happy=" + happy + " shares.total="
                    + total + " is not a usable encoding (need 1 <= needed <= total <= 256, 1 <= happy <= total)");
        }
        if (maxSegmentSize < needed) {
            throw new IllegalArgumentException("segment size " + maxSegmentSize + " is too small");
        }
    }
}
