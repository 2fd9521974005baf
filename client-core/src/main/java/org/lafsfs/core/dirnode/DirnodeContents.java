package org.lafsfs.core.dirnode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.MutableWriteCap;
import org.lafsfs.core.codec.Netstring;
import org.lafsfs.core.crypto.Hashes;

/**
 * The plaintext of a directory, packed and unpacked as Tahoe's dirnode.py does
 * ({@code _pack_normalized_children} and {@code _unpack_contents}).
 *
 * <p>The contents are one netstring per child, children sorted by name (by
 * Unicode code point, as Python sorts strings); an empty directory is zero
 * bytes. Each child is four netstrings:
 * <ol>
 * <li>the name, NFC-normalized, in UTF-8;
 * <li>the read cap in clear ({@code ro.}/{@code imm.} prefixes implied by
 *     the directory removed);
 * <li>the write cap encrypted under the directory's writekey (see
 *     {@link WritecapEncryption}); in a directory packed without a writekey
 *     (immutable ones) this is empty. With a writekey, a child without a write
 *     cap still gets the encryption of the empty string, 48 bytes;
 * <li>the metadata as JSON, as Python's json.dumps writes it ({@link MetadataJson}).
 * </ol>
 * Tahoe ignores anything after the fourth netstring of a child; so does this.
 */
public final class DirnodeContents {
    private static final System.Logger LOG = System.getLogger(DirnodeContents.class.getName());
    private static final byte[] NONE = new byte[0];

    /** Tahoe's order of children: Python's sort of str, which compares code points, not UTF-16 units. */
    public static final Comparator<String> NAME_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private DirnodeContents() {
    }

    /**
     * Packs the children of a directory.
     *
     * @param children the children, in any order; their names must be distinct
     * @param writekey the writekey of a mutable directory, under which child
     *     write caps are encrypted; null for an immutable directory (and for a
     *     mutable one seen read-only, in which case write caps are not stored)
     * @param deepImmutable true for an immutable directory (DIR2-CHK,
     *     DIR2-LIT), which may only hold immutable children
     * @throws MustBeDeepImmutableException if an immutable directory is given a
     *     write cap or a cap to something mutable
     * @throws CapConstraintException if a child's caps are unacceptable in any
     *     directory (an unknown cap with nothing saying it is only a read cap)
     * @throws IllegalArgumentException if two children have the same name, or
     *     an immutable directory is given a writekey
     */
    public static byte[] pack(Collection<DirectoryEntry> children, byte[] writekey, boolean deepImmutable) {
        checkWritekey(writekey, deepImmutable);
        TreeMap<String, DirectoryEntry> sorted = new TreeMap<>(NAME_ORDER);
        for (DirectoryEntry child : children) {
            if (sorted.put(child.name(), child) != null) {
                throw new IllegalArgumentException("two children are named '" + child.name() + "'");
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (DirectoryEntry child : sorted.values()) {
            out.writeBytes(Netstring.encode(packEntry(child, writekey, deepImmutable)));
        }
        return out.toByteArray();
    }

    /**
     * Packs the children of the directory named by {@code directory}: with its
     * writekey if it is a mutable directory's write cap, as deep-immutable if it
     * is an immutable directory.
     *
     * @throws IllegalArgumentException for a read-only or verify cap of a
     *     mutable directory, which cannot write the directory
     */
    public static byte[] pack(Collection<DirectoryEntry> children, DirectoryCap directory) {
        if (directory.isMutable() && directory.isReadOnly()) {
            throw new IllegalArgumentException("URI:" + directory.kind() + " cannot write its directory");
        }
        return pack(children, writekey(directory), !directory.isMutable());
    }

    /**
     * Unpacks the contents of a directory.
     *
     * <p>Children whose caps a directory of this kind may not hold are left out,
     * as Tahoe leaves them out (a mutable cap found in an immutable directory,
     * an unknown cap with no read cap beside it). Names are NFC-normalized; if
     * two children end up with one name, the later wins, as in Tahoe.
     *
     * @param packed the directory's plaintext
     * @param writekey the writekey of a mutable directory, when it is read
     *     through its write cap; null when reading through a read cap (child
     *     write caps are then absent) and for immutable directories
     * @param deepImmutable true for an immutable directory (DIR2-CHK, DIR2-LIT)
     * @return the children by name, in Tahoe's order
     * @throws CorruptDirnodeException if the bytes are not a directory Tahoe
     *     could have written, or an encrypted write cap fails its MAC
     */
    public static SortedMap<String, DirectoryEntry> unpack(byte[] packed, byte[] writekey, boolean deepImmutable) {
        checkWritekey(writekey, deepImmutable);
        TreeMap<String, DirectoryEntry> children = new TreeMap<>(NAME_ORDER);
        Netstring.Reader entries = new Netstring.Reader(packed);
        while (entries.hasMore()) {
            int at = entries.position();
            List<byte[]> fields;
            try {
                fields = new Netstring.Reader(entries.next()).next(4);
            } catch (IllegalArgumentException e) {
                throw new CorruptDirnodeException("the child at offset " + at + " is not a valid entry: " + e.getMessage(), e);
            }
            DirectoryEntry child = unpackEntry(fields, writekey, deepImmutable, at);
            if (child != null) {
                children.put(child.name(), child);
            }
        }
        return Collections.unmodifiableSortedMap(children);
    }

    /**
     * Unpacks the contents of the directory named by {@code directory}: with
     * its writekey if it is a mutable directory's write cap.
     */
    public static SortedMap<String, DirectoryEntry> unpack(byte[] packed, DirectoryCap directory) {
        if (directory.isVerifier()) {
            throw new IllegalArgumentException("a verify cap cannot read its directory");
        }
        return unpack(packed, writekey(directory), !directory.isMutable());
    }

    private static byte[] packEntry(DirectoryEntry child, byte[] writekey, boolean deepImmutable) {
        ChildCaps.Slots caps;
        try {
            caps = ChildCaps.resolve(child.writeCap(), child.readCap(), deepImmutable);
        } catch (MustBeDeepImmutableException e) {
            throw new MustBeDeepImmutableException("child '" + child.name() + "' is not allowed in an immutable directory: "
                    + e.getMessage());
        } catch (CapConstraintException e) {
            throw new CapConstraintException("child '" + child.name() + "': " + e.getMessage());
        }
        byte[] readCap = caps.readCap() == null ? NONE : utf8(ChildCaps.stripPrefixForRo(caps.readCap(), deepImmutable));
        byte[] writeCapField = writekey == null ? NONE
                : WritecapEncryption.encrypt(writekey, caps.writeCap() == null ? NONE : utf8(caps.writeCap()));
        byte[] metadata = utf8(MetadataJson.dumps(child.metadata()));
        ByteArrayOutputStream entry = new ByteArrayOutputStream();
        entry.writeBytes(Netstring.encode(utf8(child.name())));
        entry.writeBytes(Netstring.encode(readCap));
        entry.writeBytes(Netstring.encode(writeCapField));
        entry.writeBytes(Netstring.encode(metadata));
        return entry.toByteArray();
    }

    /** One child, or null when Tahoe would leave it out. */
    private static DirectoryEntry unpackEntry(List<byte[]> fields, byte[] writekey, boolean deepImmutable, int at) {
        byte[] rwcapdata = fields.get(2);
        if (deepImmutable && rwcapdata.length > 0) {
            throw new CorruptDirnodeException("the child at offset " + at
                    + " of an immutable directory has an encrypted write cap; immutable directories hold none");
        }
        String name;
        try {
            name = DirectoryEntry.normalizeName(decodeUtf8(fields.get(0), "name"));
        } catch (IllegalArgumentException e) {
            throw new CorruptDirnodeException("the child at offset " + at + " has a bad name: " + e.getMessage(), e);
        }
        String writeCap = null;
        if (writekey != null && rwcapdata.length > 0) {
            try {
                writeCap = capText(WritecapEncryption.decrypt(writekey, rwcapdata), "write cap");
            } catch (IllegalArgumentException e) {
                throw new CorruptDirnodeException("child '" + name + "': " + e.getMessage(), e);
            }
        }
        ChildCaps.Slots caps;
        try {
            caps = ChildCaps.resolve(writeCap, capText(fields.get(1), "read cap"), deepImmutable);
        } catch (CapConstraintException e) {
            LOG.log(System.Logger.Level.WARNING, "leaving out child ''{0}'' of a directory: {1}", name, e.getMessage());
            return null;
        } catch (CorruptDirnodeException e) {
            throw new CorruptDirnodeException("child '" + name + "': " + e.getMessage(), e);
        }
        ObjectNode metadata;
        try {
            metadata = MetadataJson.parse(fields.get(3));
        } catch (IllegalArgumentException e) {
            throw new CorruptDirnodeException("child '" + name + "': " + e.getMessage(), e);
        }
        return new DirectoryEntry(name, caps.writeCap(), caps.readCap(), metadata);
    }

    /**
     * A stored cap as text, or null if empty. Trailing spaces are dropped: Tahoe
     * strips them so that caps could one day be padded to hide their length.
     */
    private static String capText(byte[] stored, String what) {
        int end = stored.length;
        while (end > 0 && stored[end - 1] == ' ') {
            end--;
        }
        return end == 0 ? null : decodeUtf8(Arrays.copyOf(stored, end), what);
    }

    private static String decodeUtf8(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CorruptDirnodeException("a child's " + what + " is not valid UTF-8", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] writekey(DirectoryCap directory) {
        Cap file = directory.fileCap();
        return file instanceof MutableWriteCap writeCap ? writeCap.writekey() : null;
    }

    private static void checkWritekey(byte[] writekey, boolean deepImmutable) {
        if (writekey == null) {
            return;
        }
        if (deepImmutable) {
            throw new IllegalArgumentException("an immutable directory has no writekey");
        }
        if (writekey.length != Hashes.KEY_LENGTH) {
            throw new IllegalArgumentException("a writekey is " + Hashes.KEY_LENGTH + " bytes, not " + writekey.length);
        }
    }
}
