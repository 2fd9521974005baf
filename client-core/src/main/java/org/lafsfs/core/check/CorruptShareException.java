package org.lafsfs.core.check;

/** A share's bytes failed an integrity check (as opposed to its server failing to answer). */
final class CorruptShareException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptShareException(String message) {
        super(message);
    }
}
