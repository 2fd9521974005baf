package org.lafsfs.core.cap;

import java.util.Arrays;
import org.lafsfs.core.codec.Base32;

/**
 * The 16-byte name under which a file's shares are stored. Its base32 form
 * names the share directory on disk ({@code shares/<first two chars>/<all>})
 * and appears in verify caps and storage-protocol URLs.
 */
public final class StorageIndex implements Comparable<StorageIndex> {
    public static final int LENGTH = 16;

    private final byte[] bytes;
    private final String base32;

    private StorageIndex(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a storage index is " + LENGTH + " bytes, not " + bytes.length);
        }
        this.bytes = bytes.clone();
        this.base32 = Base32.encode(bytes);
    }

    public static StorageIndex of(byte[] bytes) {
        return new StorageIndex(bytes);
    }

    /** Parses the 26-character base32 form. */
    public static StorageIndex parse(String base32) {
        if (!Base32.isEncodingOf(base32, LENGTH)) {
            throw new IllegalArgumentException("'" + base32 + "' is not a storage index (26 base32 characters)");
        }
        return new StorageIndex(Base32.decode(base32));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** The two-character directory that holds this storage index's share directory. */
    public String prefix() {
        return base32.substring(0, 2);
    }

    @Override
    public String toString() {
        return base32;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StorageIndex other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(StorageIndex o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }
}
