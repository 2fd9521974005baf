package org.lafsfs.core.dirnode;

import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.CapParser;
import org.lafsfs.core.cap.MalformedCapException;
import org.lafsfs.core.cap.UnknownCap;

/**
 * What a directory makes of a child's two cap slots, by Tahoe's rules
 * (nodemaker.create_from_cap, uri.from_string, unknown.UnknownNode,
 * unknown.strip_prefix_for_ro). The same rules apply when a child is read out
 * of a directory and when it is put in, so both directions agree on which
 * children a directory may hold and how their caps are spelled.
 *
 * <ul>
 * <li>The stronger cap decides: the write cap if there is one, else the read cap.
 * <li>A known cap is used in its canonical form, and a known write cap brings
 *     its own read cap (the stored read cap is not consulted, as in Tahoe).
 * <li>A known cap that breaks the context is refused: a write cap where only
 *     read-only caps belong (an {@code ro.} prefix), a mutable cap where only
 *     immutable ones belong (an immutable directory, or an {@code imm.} prefix).
 * <li>Anything else is an unknown cap, kept byte for byte. Its read cap gets an
 *     {@code ro.} prefix in a mutable directory and {@code imm.} in an
 *     immutable one, recording what the directory vouches for; the prefix is
 *     implied by the context and stripped again when stored.
 * </ul>
 * Verify caps are not children Tahoe can make nodes of, so they count as
 * unknown here too. Malformed caps of known kinds also count as unknown, and
 * are kept verbatim; Tahoe would refuse to read such a directory at all.
 */
final class ChildCaps {
    static final String READ_ONLY_PREFIX = "ro.";
    static final String IMMUTABLE_PREFIX = "imm.";

    /** A child's caps as its node would report them; either may be null. */
    record Slots(String writeCap, String readCap) {
    }

    private ChildCaps() {
    }

    /**
     * The caps of a child given its write and read cap (either may be null).
     *
     * @throws CapConstraintException if the directory may not hold this child
     */
    static Slots resolve(String writeCap, String readCap, boolean deepImmutable) {
        String strongest = writeCap != null ? writeCap : readCap;
        if (strongest == null) {
            // No caps at all, e.g. a future write-only cap hidden from a read-only reader.
            return new Slots(null, null);
        }
        Cap known = known(strongest, deepImmutable);
        if (known != null) {
            if (known.isReadOnly()) {
                return new Slots(null, known.uri());
            }
            return new Slots(known.uri(), known.readOnly().map(Cap::uri).orElseThrow());
        }
        return unknown(writeCap, readCap, deepImmutable);
    }

    /**
     * What goes in the stored read-cap slot: the prefix the context implies is
     * dropped ({@code ro.} always, {@code imm.} only in an immutable directory,
     * since in a mutable one it says more than the context does).
     */
    static String stripPrefixForRo(String readCap, boolean deepImmutable) {
        if (readCap.startsWith(IMMUTABLE_PREFIX)) {
            return deepImmutable ? readCap.substring(IMMUTABLE_PREFIX.length()) : readCap;
        }
        if (readCap.startsWith(READ_ONLY_PREFIX)) {
            return readCap.substring(READ_ONLY_PREFIX.length());
        }
        return readCap;
    }

    /** The cap, if it is of a kind a directory child can be and fits the context; null otherwise. */
    private static Cap known(String text, boolean deepImmutable) {
        Context context = Context.of(text, deepImmutable);
        Cap cap = parseBare(context.bare);
        if (cap == null || !fits(cap, context)) {
            return null;
        }
        return cap;
    }

    /** Tahoe's UnknownNode: an unknown cap, or a known one refused in the stronger slot. */
    private static Slots unknown(String writeCap, String readCap, boolean deepImmutable) {
        if (writeCap != null) {
            if (deepImmutable) {
                if (readCap != null) {
                    throw new MustBeDeepImmutableException("cannot attach an unknown write cap as an immutable child");
                }
                if (!writeCap.startsWith(IMMUTABLE_PREFIX)) {
                    throw new CapConstraintException("cannot attach an unknown write cap as an immutable child");
                }
            }
            if (readCap == null) {
                // A single unknown cap: only a prefix says it is safe to treat as a read cap.
                if (!writeCap.startsWith(READ_ONLY_PREFIX) && !writeCap.startsWith(IMMUTABLE_PREFIX)) {
                    throw new CapConstraintException("cannot attach an unknown cap as a child without a read cap:"
                            + " nothing says what it grants, and it cannot be diminished to a read cap");
                }
                readCap = writeCap;
                writeCap = null;
            } else if (readCap.startsWith(IMMUTABLE_PREFIX)) {
                throw new MustBeDeepImmutableException(
                        "a child cannot have both a write cap and a read cap with an imm. prefix");
            }
        }
        if (readCap != null) {
            checkReadCap(readCap, deepImmutable);
        }
        if (deepImmutable) {
            return new Slots(null, readCap == null ? null : withPrefix(readCap, IMMUTABLE_PREFIX));
        }
        boolean prefixed = readCap == null || readCap.startsWith(READ_ONLY_PREFIX) || readCap.startsWith(IMMUTABLE_PREFIX);
        return new Slots(writeCap, prefixed ? readCap : READ_ONLY_PREFIX + readCap);
    }

    /** A read cap that is known but breaks its context is refused even as an unknown child. */
    private static void checkReadCap(String readCap, boolean deepImmutable) {
        Context context = Context.of(readCap, deepImmutable);
        Cap cap = parseBare(context.bare);
        if (cap == null || cap instanceof UnknownCap || cap.isVerifier()) {
            return;
        }
        if (cap.isMutable() && !context.canBeMutable) {
            throw new MustBeDeepImmutableException("URI:" + cap.kind() + " names something mutable, used in an immutable context");
        }
        if (!cap.isReadOnly() && !context.canBeWriteable) {
            throw new CapConstraintException("URI:" + cap.kind() + " is a write cap, used in a read-only context");
        }
    }

    private static boolean fits(Cap cap, Context context) {
        if (cap instanceof UnknownCap || cap.isVerifier()) {
            return false;
        }
        return (cap.isReadOnly() || context.canBeWriteable) && (!cap.isMutable() || context.canBeMutable);
    }

    /** Parses a cap with its prefix already removed; null for a malformed cap of a known kind. */
    private static Cap parseBare(String bare) {
        if (bare.startsWith(READ_ONLY_PREFIX) || bare.startsWith(IMMUTABLE_PREFIX)) {
            return new UnknownCap(bare); // only one prefix is ever meaningful
        }
        try {
            return CapParser.parse(bare);
        } catch (MalformedCapException e) {
            return null;
        }
    }

    private static String withPrefix(String readCap, String prefix) {
        if (readCap.startsWith(prefix)) {
            return readCap;
        }
        if (readCap.startsWith(READ_ONLY_PREFIX)) {
            return prefix + readCap.substring(READ_ONLY_PREFIX.length());
        }
        return prefix + readCap;
    }

    /** The constraints a cap string carries: its own prefix, and the directory it is in. */
    private record Context(String bare, boolean canBeMutable, boolean canBeWriteable) {
        static Context of(String text, boolean deepImmutable) {
            if (text.startsWith(IMMUTABLE_PREFIX)) {
                return new Context(text.substring(IMMUTABLE_PREFIX.length()), false, false);
            }
            if (text.startsWith(READ_ONLY_PREFIX)) {
                return new Context(text.substring(READ_ONLY_PREFIX.length()), !deepImmutable, false);
            }
            return new Context(text, !deepImmutable, !deepImmutable);
        }
    }
}
