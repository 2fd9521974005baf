package org.lafsfs.core.cap;

/** A string that claims to be a cap of a known kind but is not a valid one. */
public class MalformedCapException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public MalformedCapException(String message) {
        super(message);
    }
}
