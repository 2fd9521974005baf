package org.lafsfs.core.cap;

/** Equality, hashing and printing of caps by their canonical string, as Tahoe compares caps. */
abstract class AbstractCap {
    @Override
    public final boolean equals(Object o) {
        return o instanceof Cap other && o.getClass() == getClass() && other.uri().equals(((Cap) this).uri());
    }

    @Override
    public final int hashCode() {
        return ((Cap) this).uri().hashCode();
    }

    @Override
    public final String toString() {
        return ((Cap) this).uri();
    }
}
