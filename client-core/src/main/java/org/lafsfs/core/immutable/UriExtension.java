package org.lafsfs.core.immutable;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.lafsfs.core.codec.Netstring;
import org.lafsfs.core.crypto.Hashes;

/**
 * The URI extension block (UEB): the facts about an immutable file that every
 * share carries and the read cap pins by hash — sizes, encoding parameters and
 * the roots of the share and crypttext hash trees. Serialized as
 * {@code key:netstring(value)} pairs in sorted key order.
 */
public final class UriExtension {
    private final Map<String, byte[]> fields;

    public UriExtension(Map<String, byte[]> fields) {
        TreeMap<String, byte[]> copy = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : fields.entrySet()) {
            if (!e.getKey().matches("[a-zA-Z_\\-]+")) {
                throw new IllegalArgumentException("'" + e.getKey() + "' cannot be a URI extension key");
            }
            copy.put(e.getKey(), e.getValue().clone());
        }
        this.fields = Collections.unmodifiableMap(copy);
    }

    /** Parses a UEB; throws {@link LayoutInvalidException} if it is not well formed. */
    public static UriExtension parse(byte[] data) throws LayoutInvalidException {
        TreeMap<String, byte[]> fields = new TreeMap<>();
        int at = 0;
        try {
            while (at < data.length) {
                int colon = indexOf(data, (byte) ':', at);
                if (colon < 0) {
                    throw new LayoutInvalidException("URI extension block has a key without a value at byte " + at);
                }
                String key = new String(data, at, colon - at, StandardCharsets.US_ASCII);
                Netstring.Reader reader = new Netstring.Reader(data, colon + 1, data.length - colon - 1);
                fields.put(key, reader.next());
                at = reader.position();
            }
        } catch (IllegalArgumentException e) {
            throw new LayoutInvalidException("URI extension block is malformed: " + e.getMessage());
        }
        return new UriExtension(fields);
    }

    /** The serialized form; its hash is what read caps carry. */
    public byte[] pack() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : fields.entrySet()) {
            out.writeBytes(e.getKey().getBytes(StandardCharsets.US_ASCII));
            out.write(':');
            out.writeBytes(Netstring.encode(e.getValue()));
        }
        return out.toByteArray();
    }

    public byte[] hash() {
        return Hashes.uriExtensionHash(pack());
    }

    public Map<String, byte[]> fields() {
        return fields;
    }

    public byte[] get(String key) throws LayoutInvalidException {
        byte[] value = fields.get(key);
        if (value == null) {
            throw new LayoutInvalidException("URI extension block has no '" + key + "'");
        }
        return value.clone();
    }

    public String text(String key) throws LayoutInvalidException {
        return new String(get(key), StandardCharsets.US_ASCII);
    }

    public long number(String key) throws LayoutInvalidException {
        String text = text(key);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new LayoutInvalidException("URI extension field '" + key + "' is not a number: " + text);
        }
    }

    public long size() throws LayoutInvalidException {
        return number("size");
    }

    public long segmentSize() throws LayoutInvalidException {
        return number("segment_size");
    }

    public long numSegments() throws LayoutInvalidException {
        return number("num_segments");
    }

    public int neededShares() throws LayoutInvalidException {
        return (int) number("needed_shares");
    }

    public int totalShares() throws LayoutInvalidException {
        return (int) number("total_shares");
    }

    public byte[] shareRootHash() throws LayoutInvalidException {
        return get("share_root_hash");
    }

    public byte[] crypttextRootHash() throws LayoutInvalidException {
        return get("crypttext_root_hash");
    }

    public byte[] crypttextHash() throws LayoutInvalidException {
        return get("crypttext_hash");
    }

    private static int indexOf(byte[] data, byte b, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
