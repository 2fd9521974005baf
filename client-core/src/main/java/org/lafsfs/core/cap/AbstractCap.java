package org.lafsfs.core.cap;

/**
 * Equality, hashing and printing of caps by their canonical string, as Tahoe compares caps. Caps are
 * immutable, so the string is made once: caps are map keys everywhere (directory caches, open files), and
 * base32 on every lookup was a fifth of a mount's getattr.
 */
abstract class AbstractCap {
    private volatile String uri;

    /** The canonical string, as {@link #uri()} gives it once made. */
    protected abstract String canonical();

    public final String uri() {
        String s = uri;
        if (s == null) {
            s = canonical();
            uri = s;
        }
        return s;
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof AbstractCap other && o.getClass() == getClass() && other.uri().equals(uri());
    }

    @Override
    public final int hashCode() {
        return uri().hashCode();
    }

    @Override
    public final String toString() {
        return uri();
    }
}
