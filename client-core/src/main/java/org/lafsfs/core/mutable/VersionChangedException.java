package org.lafsfs.core.mutable;

/**
 * The version being read was replaced on the servers while we read it (a
 * writer published a newer one). Not corruption: read again.
 */
public class VersionChangedException extends MutableFileException {
    public VersionChangedException(String message) {
        super(message);
    }
}
