package org.lafsfs.core.storage;

import java.util.List;

/** After a share write: whether the share is complete, and which byte ranges are still missing. */
public record UploadProgress(boolean complete, List<ByteRange> required) {
    public UploadProgress {
        required = List.copyOf(required);
    }

    /** Bytes [begin, end). */
    public record ByteRange(long begin, long end) {
    }
}
