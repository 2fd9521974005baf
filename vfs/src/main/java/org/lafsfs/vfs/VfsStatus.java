package org.lafsfs.vfs;

import java.util.List;
import java.util.Map;

/**
 * What the VFS is doing: uploads still pending (in the crash-safe spool),
 * uploads that failed and why, directories with unpublished edits, and the
 * caches' hit and miss counts.
 */
public record VfsStatus(List<String> pendingUploads, List<String> failedUploads, int directoriesWithPendingEdits,
        Map<String, String> cacheStats) {
}
