package org.lafsfs.core.immutable;

/** Share bytes that cannot be an immutable share: corrupt, truncated, or of an unknown version. */
public class LayoutInvalidException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    public LayoutInvalidException(String message) {
        super(message);
    }
}
