package org.lafsfs.core.mutable;

/** How hard a servermap update looks for shares (Tahoe's MODE_*). */
public enum Mode {
    /** Enough to read the newest version: k + epsilon of its shares, nothing newer seen. */
    READ,
    /** Every share, so that a publish can update or supersede them all. */
    WRITE,
    /** Every server. */
    CHECK,
    /** Any one recoverable version (to learn the key or the size). */
    ANYTHING
}
