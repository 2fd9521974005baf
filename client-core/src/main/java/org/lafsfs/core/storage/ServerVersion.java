package org.lafsfs.core.storage;

/** A server's answer to {@code GET /storage/v1/version}. */
public record ServerVersion(long maximumImmutableShareSize, long maximumMutableShareSize, long availableSpace,
        String applicationVersion) {
}
