package org.lafsfs.core.hashtree;

/** The hashes given are not enough to tie a node to the root, so nothing can be vouched for. */
public class NotEnoughHashesException extends Exception {
    private static final long serialVersionUID = 1L;

    public NotEnoughHashesException(String message) {
        super(message);
    }
}
