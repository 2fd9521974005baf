package org.lafsfs.dropupload;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a folder is mirrored.
 *
 * @param localDir the watched folder
 * @param stateFile where what was uploaded is remembered between runs
 * @param parallelUploads files uploaded at once
 * @param settle how long a file must be quiet (no change seen) before it is uploaded
 * @param maxDelay a file that never stops changing is uploaded anyway after this long
 * @param rescanInterval how often the whole folder is compared with what was uploaded, in case a change
 *     notification was lost (or the filesystem sends none)
 * @param archiveDeletions whether a file deleted locally is moved into the target's {@code Archives/}
 *     instead of unlinked
 */
public record DropUploadConfig(Path localDir, Path stateFile, int parallelUploads, Duration settle,
        Duration maxDelay, Duration rescanInterval, boolean archiveDeletions) {
    public DropUploadConfig {
        if (parallelUploads < 1) {
            throw new IllegalArgumentException("at least one upload at a time, not " + parallelUploads);
        }
    }

    public static DropUploadConfig defaults(Path localDir, Path stateFile) {
        return new DropUploadConfig(localDir, stateFile, 4, Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofMinutes(10), false);
    }

    public DropUploadConfig withParallelUploads(int n) {
        return new DropUploadConfig(localDir, stateFile, n, settle, maxDelay, rescanInterval, archiveDeletions);
    }

    public DropUploadConfig withSettle(Duration quiet, Duration longest) {
        return new DropUploadConfig(localDir, stateFile, parallelUploads, quiet, longest, rescanInterval,
                archiveDeletions);
    }

    public DropUploadConfig withRescanInterval(Duration every) {
        return new DropUploadConfig(localDir, stateFile, parallelUploads, settle, maxDelay, every,
                archiveDeletions);
    }

    public DropUploadConfig withArchiveDeletions(boolean archive) {
        return new DropUploadConfig(localDir, stateFile, parallelUploads, settle, maxDelay, rescanInterval,
                archive);
    }
}
