package org.lafsfs.core.cap;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.crypto.Hashes;

/**
 * Turns cap strings into {@link Cap}s, following Tahoe's uri.py: the same kinds,
 * the same field sizes, the optional trailing extension fields on MDMF caps
 * (accepted and dropped), and the {@code ro.} / {@code imm.} prefixes that
 * directory entries put on caps they only vouch for as read-only or immutable.
 */
public final class CapParser {
    static final String READ_ONLY_PREFIX = "ro.";
    static final String IMMUTABLE_PREFIX = "imm.";
    /**
     * Caps parsed lately, by their text. A mount parses the same directory entries' caps on every lookup,
     * and a write cap's parse hashes its key twice; caps are immutable values, so one parse can serve them
     * all. Least recently used first out; malformed caps are never kept (their parse throws), nor unknown
     * kinds or long texts (a directory may hold anything there: the memory bound is in entries).
     */
    private static final int REMEMBERED = 4096;
    private static final int LONGEST_REMEMBERED = 256;
    private static final Map<String, Cap> recent = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Cap> eldest) {
                    return size() > REMEMBERED;
                }
            });

    private CapParser() {
    }

    /**
     * Parses a cap.
     *
     * @return the cap; an {@link UnknownCap} if its kind is not one Tahoe 1.20 defines
     * @throws MalformedCapException if it has a known kind but a bad body, or if it
     *     contradicts its {@code ro.}/{@code imm.} prefix
     */
    public static Cap parse(String text) {
        if (text == null) {
            throw new MalformedCapException("no cap given");
        }
        Cap known = recent.get(text);
        if (known == null) {
            known = parseUncached(text);
            if (!(known instanceof UnknownCap) && text.length() <= LONGEST_REMEMBERED) {
                recent.put(text, known);
            }
        }
        return known;
    }

    /** {@link #parse} without the memory of earlier parses. */
    static Cap parseUncached(String text) {
        if (text == null) {
            throw new MalformedCapException("no cap given");
        }
        if (text.startsWith(IMMUTABLE_PREFIX)) {
            Cap cap = parseBare(text.substring(IMMUTABLE_PREFIX.length()));
            if (!(cap instanceof UnknownCap) && (cap.isMutable() || !cap.isReadOnly())) {
                throw new MalformedCapException(
                        "URI:" + cap.kind() + " is a cap to something mutable, used where only immutable caps belong");
            }
            return cap instanceof UnknownCap ? new UnknownCap(text) : cap;
        }
        if (text.startsWith(READ_ONLY_PREFIX)) {
            Cap cap = parseBare(text.substring(READ_ONLY_PREFIX.length()));
            if (!(cap instanceof UnknownCap) && !cap.isReadOnly()) {
                throw new MalformedCapException(
                        "URI:" + cap.kind() + " is a write cap, used where only read-only caps belong");
            }
            return cap instanceof UnknownCap ? new UnknownCap(text) : cap;
        }
        return parseBare(text);
    }

    private static Cap parseBare(String text) {
        if (!text.startsWith("URI:")) {
            return new UnknownCap(text);
        }
        int colon = text.indexOf(':', 4);
        if (colon < 0) {
            return new UnknownCap(text);
        }
        String kind = text.substring(4, colon);
        String body = text.substring(colon + 1);
        String fileKind = DirectoryCap.fileKind(kind);
        if (fileKind != null && DirectoryCap.directoryKind(fileKind).equals(kind)) {
            Cap inner = parseFile(fileKind, body, kind);
            return inner == null ? new UnknownCap(text) : new DirectoryCap(inner);
        }
        Cap cap = parseFile(kind, body, kind);
        return cap == null ? new UnknownCap(text) : cap;
    }

    /** Parses a file cap body, or returns null for a kind that is not a file cap kind. */
    private static Cap parseFile(String kind, String body, String shownKind) {
        try {
            return switch (kind) {
                case "LIT" -> literal(body, shownKind);
                case "CHK" -> chk(body, shownKind);
                case "CHK-Verifier" -> chkVerifier(body, shownKind);
                case "SSK" -> mutableWrite(MutableFormat.SDMF, body, shownKind, false);
                case "MDMF" -> mutableWrite(MutableFormat.MDMF, body, shownKind, true);
                case "SSK-RO" -> mutableRead(MutableFormat.SDMF, body, shownKind, false);
                case "MDMF-RO" -> mutableRead(MutableFormat.MDMF, body, shownKind, true);
                case "SSK-Verifier" -> mutableVerifier(MutableFormat.SDMF, body, shownKind, false);
                case "MDMF-Verifier" -> mutableVerifier(MutableFormat.MDMF, body, shownKind, true);
                default -> null;
            };
        } catch (MalformedCapException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw CapFields.malformed(shownKind, e.getMessage());
        }
    }

    private static Cap literal(String body, String kind) {
        try {
            return new LiteralCap(Base32.decode(body));
        } catch (IllegalArgumentException e) {
            throw CapFields.malformed(kind, "its data is not valid base32: " + e.getMessage());
        }
    }

    private static Cap chk(String body, String kind) {
        String[] f = fields(body, kind, 5, "key:UEB-hash:k:N:size", false);
        return new ChkCap(CapFields.bytes(kind, "key", f[0], Hashes.KEY_LENGTH),
                CapFields.bytes(kind, "URI extension hash", f[1], Hashes.HASH_LENGTH),
                CapFields.shares(kind, "k", f[2]), CapFields.shares(kind, "N", f[3]),
                CapFields.number(kind, "size", f[4]));
    }

    private static Cap chkVerifier(String body, String kind) {
        String[] f = fields(body, kind, 5, "storage-index:UEB-hash:k:N:size", false);
        return new ChkVerifierCap(StorageIndex.of(CapFields.bytes(kind, "storage index", f[0], StorageIndex.LENGTH)),
                CapFields.bytes(kind, "URI extension hash", f[1], Hashes.HASH_LENGTH),
                CapFields.shares(kind, "k", f[2]), CapFields.shares(kind, "N", f[3]),
                CapFields.number(kind, "size", f[4]));
    }

    private static Cap mutableWrite(MutableFormat format, String body, String kind, boolean extensible) {
        String[] f = fields(body, kind, 2, "writekey:fingerprint", extensible);
        return new MutableWriteCap(format, CapFields.bytes(kind, "writekey", f[0], Hashes.KEY_LENGTH),
                CapFields.bytes(kind, "fingerprint", f[1], Hashes.HASH_LENGTH));
    }

    private static Cap mutableRead(MutableFormat format, String body, String kind, boolean extensible) {
        String[] f = fields(body, kind, 2, "readkey:fingerprint", extensible);
        return new MutableReadCap(format, CapFields.bytes(kind, "readkey", f[0], Hashes.KEY_LENGTH),
                CapFields.bytes(kind, "fingerprint", f[1], Hashes.HASH_LENGTH));
    }

    private static Cap mutableVerifier(MutableFormat format, String body, String kind, boolean extensible) {
        String[] f = fields(body, kind, 2, "storage-index:fingerprint", extensible);
        return new MutableVerifierCap(format,
                StorageIndex.of(CapFields.bytes(kind, "storage index", f[0], StorageIndex.LENGTH)),
                CapFields.bytes(kind, "fingerprint", f[1], Hashes.HASH_LENGTH));
    }

    /**
     * Splits a body into its colon-separated fields. MDMF caps may carry more
     * fields after the known ones (Tahoe once wrote k and segment size there);
     * they are ignored, as Tahoe ignores them.
     */
    private static String[] fields(String body, String kind, int count, String shape, boolean extensible) {
        String[] f = body.split(":", -1);
        if (f.length < count || (f.length > count && !extensible)) {
            throw CapFields.malformed(kind, "expected " + shape + " after URI:" + kind + ":, found " + f.length
                    + " field" + (f.length == 1 ? "" : "s"));
        }
        return f;
    }
}
