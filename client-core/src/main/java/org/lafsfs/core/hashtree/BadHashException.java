package org.lafsfs.core.hashtree;

/** A hash did not match: the data or one of the hashes that vouch for it is corrupt. */
public class BadHashException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadHashException(String message) {
        super(message);
    }
}
