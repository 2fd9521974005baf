package org.lafsfs.core.storage;

/** A read of {@code size} bytes at {@code offset} of a mutable share (short at the end of the data). */
public record ReadVector(long offset, long size) {
}
