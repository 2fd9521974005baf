package org.lafsfs.core.cap;

import java.util.Optional;

/**
 * A Tahoe-LAFS capability: the unguessable string that names a file or
 * directory and grants a level of access to it (write, read or verify).
 *
 * <p>The kinds are those of Tahoe's uri.rst. Weaker caps derive from stronger
 * ones ({@link #readOnly()}, {@link #verifyCap()}); the reverse is impossible
 * by design. Caps of kinds this version does not know are kept verbatim as
 * {@link UnknownCap} so that directories holding them survive a rewrite.
 */
public sealed interface Cap permits LiteralCap, ChkCap, ChkVerifierCap, MutableWriteCap, MutableReadCap,
        MutableVerifierCap, DirectoryCap, UnknownCap {

    /** Parses any cap string; see {@link CapParser#parse(String)}. */
    static Cap parse(String text) {
        return CapParser.parse(text);
    }

    /** The canonical string form, e.g. {@code URI:CHK:...}. */
    String uri();

    /** The kind as it appears after {@code URI:}, e.g. {@code CHK}, {@code DIR2-MDMF-RO}. */
    String kind();

    /** False only for write caps: read caps and verify caps grant no writing. */
    boolean isReadOnly();

    /** True when the object named can change (mutable files and mutable directories, not their verify caps). */
    boolean isMutable();

    /** True for caps that can only check shares, not read contents. */
    boolean isVerifier();

    /** The read-only cap for the same object: itself when already read-only. Empty for unknown caps. */
    Optional<Cap> readOnly();

    /** The verify cap for the same object. Empty for literal caps, which need no verifying, and unknown caps. */
    Optional<Cap> verifyCap();

    /** Where the object's shares are stored. Empty for literal caps (the data is in the cap) and unknown caps. */
    Optional<StorageIndex> storageIndex();
}
