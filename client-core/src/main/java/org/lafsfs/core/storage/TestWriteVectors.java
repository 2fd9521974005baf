package org.lafsfs.core.storage;

import java.util.List;

/**
 * What to check and what to write on one mutable share. Every test compares the
 * bytes at an offset with a specimen (a missing share reads as empty); the
 * writes happen only if every test of every share in the request passes. A
 * {@code newLength} shorter than the data truncates it; zero deletes the share.
 */
public record TestWriteVectors(List<Test> tests, List<Write> writes, Long newLength) {
    public TestWriteVectors {
        tests = List.copyOf(tests);
        writes = List.copyOf(writes);
    }

    public record Test(long offset, long size, byte[] specimen) {
    }

    public record Write(long offset, byte[] data) {
    }
}
