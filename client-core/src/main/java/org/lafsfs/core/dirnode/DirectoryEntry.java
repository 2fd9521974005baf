package org.lafsfs.core.dirnode;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.text.Normalizer;
import java.util.Objects;
import java.util.Optional;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.CapParser;
import org.lafsfs.core.cap.UnknownCap;

/**
 * One child of a directory: its name, its caps, and its metadata.
 *
 * <p>The caps are strings as Tahoe's child node reports them ({@code rw_uri} and
 * {@code ro_uri} in a {@code t=json} listing): known caps in their canonical
 * form, caps of unknown kinds byte for byte, with the {@code ro.} or
 * {@code imm.} prefix Tahoe puts on an unknown read cap to record that the
 * directory vouches for it only as read-only or immutable. Either cap may be
 * null: a child read through a read-only directory has no write cap, a child
 * linked read-only has none either.
 *
 * <p>The metadata is kept whole as a JSON object so that keys this version
 * does not know survive a rewrite. Tahoe's own keys live under {@code tahoe}
 * (see {@link LinkMetadata}). The record holds its own copy; treat the node
 * returned by {@link #metadata()} as read-only and use {@link #withMetadata}.
 *
 * @param name the child's name, normalized to NFC as Tahoe normalizes names
 *     going into and coming out of directories
 * @param writeCap the child's write cap, or null
 * @param readCap the child's read cap, or null
 * @param metadata the child's metadata; null means an empty object
 */
public record DirectoryEntry(String name, String writeCap, String readCap, ObjectNode metadata) {

    public DirectoryEntry {
        Objects.requireNonNull(name, "a directory entry needs a name");
        name = normalizeName(name);
        writeCap = writeCap == null || writeCap.isEmpty() ? null : writeCap;
        readCap = readCap == null || readCap.isEmpty() ? null : readCap;
        metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata.deepCopy();
    }

    /**
     * An entry for a child named by one cap, split into slots as Tahoe does
     * when a cap is linked: a write cap goes with its derived read cap, a read
     * cap goes alone. A cap of unknown kind with an {@code ro.}/{@code imm.}
     * prefix is a read cap; without one it can only be taken as a write cap,
     * which {@link DirnodeContents#pack} will refuse unless a read cap is given
     * too, since nobody can tell what it grants.
     */
    public static DirectoryEntry of(String name, Cap cap, ObjectNode metadata) {
        if (cap instanceof UnknownCap unknown) {
            String text = unknown.uri();
            boolean alleged = text.startsWith(ChildCaps.READ_ONLY_PREFIX) || text.startsWith(ChildCaps.IMMUTABLE_PREFIX);
            return alleged ? new DirectoryEntry(name, null, text, metadata)
                    : new DirectoryEntry(name, text, null, metadata);
        }
        if (cap.isReadOnly()) {
            return new DirectoryEntry(name, null, cap.uri(), metadata);
        }
        return new DirectoryEntry(name, cap.uri(), cap.readOnly().map(Cap::uri).orElse(null), metadata);
    }

    /** The same child with other metadata. */
    public DirectoryEntry withMetadata(ObjectNode newMetadata) {
        return new DirectoryEntry(name, writeCap, readCap, newMetadata);
    }

    /** The strongest cap this entry holds: the write cap if there is one, else the read cap. */
    public Optional<Cap> cap() {
        String strongest = writeCap != null ? writeCap : readCap;
        return strongest == null ? Optional.empty() : Optional.of(CapParser.parse(strongest));
    }

    /**
     * NFC, as Tahoe's encodingutil.normalize. A name must also be encodable as
     * UTF-8 (no unpaired surrogates), since that is how it is stored.
     */
    public static String normalizeName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("a child name cannot hold an unpaired surrogate (index " + i + ")");
            }
        }
        return Normalizer.normalize(name, Normalizer.Form.NFC);
    }
}
