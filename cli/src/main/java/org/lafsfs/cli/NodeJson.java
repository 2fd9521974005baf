package org.lafsfs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableReadCap;
import org.lafsfs.core.cap.MutableWriteCap;
import org.lafsfs.core.cap.UnknownCap;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.dirnode.DirnodeContents;

/**
 * Files and directories described as Tahoe's web API describes them in
 * {@code ?t=json}, which is what {@code tahoe ls --json} prints: a pair of
 * node type ({@code "dirnode"}, {@code "filenode"}, {@code "unknown"}) and an
 * object whose keys, and their order, are those of Tahoe 1.20's
 * web/directory.py and web/filenode.py. A child's size is given only where
 * Tahoe knows it without asking the grid: immutable files carry it in their
 * caps, mutable ones do not.
 */
final class NodeJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private NodeJson() {
    }

    /** {@code ["dirnode", {children, ro_uri, rw_uri, verify_uri, mutable}]}. */
    static ArrayNode directory(DirectoryCap cap, Map<String, DirectoryEntry> children) {
        ObjectNode kids = JSON.objectNode();
        Map<String, DirectoryEntry> ordered = new TreeMap<>(DirnodeContents.NAME_ORDER);
        ordered.putAll(children);
        ordered.forEach((name, entry) -> kids.set(name, child(entry)));
        ObjectNode d = JSON.objectNode();
        d.set("children", kids);
        d.put("ro_uri", cap.readOnly().orElseThrow().uri());
        if (!cap.isReadOnly()) {
            d.put("rw_uri", cap.uri());
        }
        cap.verifyCap().ifPresent(v -> d.put("verify_uri", v.uri()));
        d.put("mutable", cap.isMutable());
        return JSON.arrayNode().add("dirnode").add(d);
    }

    /** A child in its directory's listing: type fields, then metadata, rw_uri, ro_uri, verify_uri. */
    static ArrayNode child(DirectoryEntry entry) {
        Cap cap = capOf(entry);
        String type = type(cap);
        ObjectNode d = JSON.objectNode();
        if (type.equals("filenode")) {
            fileFields(d, cap, immutableSize(cap));
        } else if (type.equals("dirnode")) {
            d.put("mutable", cap.isMutable());
        }
        d.set("metadata", entry.metadata().deepCopy());
        if (type.equals("unknown")) {
            putIfPresent(d, "rw_uri", entry.writeCap());
            putIfPresent(d, "ro_uri", entry.readCap());
        } else {
            putIfPresent(d, "rw_uri", cap.isReadOnly() ? null : cap.uri());
            putIfPresent(d, "ro_uri", cap.readOnly().map(Cap::uri).orElse(null));
            cap.verifyCap().ifPresent(v -> d.put("verify_uri", v.uri()));
        }
        return JSON.arrayNode().add(type).add(d);
    }

    /**
     * A file on its own ({@code ls} of a file): type fields (with the size,
     * which for a mutable file the caller asked the grid for), ro_uri, rw_uri,
     * verify_uri, and the metadata of the link it was reached through, if any.
     */
    static ArrayNode file(Cap cap, Long size, DirectoryEntry link) {
        ObjectNode d = JSON.objectNode();
        String type = type(cap);
        if (type.equals("filenode")) {
            fileFields(d, cap, size);
        }
        putIfPresent(d, "ro_uri", cap.readOnly().map(Cap::uri).orElse(null));
        putIfPresent(d, "rw_uri", cap.isReadOnly() || cap instanceof UnknownCap ? null : cap.uri());
        cap.verifyCap().ifPresent(v -> d.put("verify_uri", v.uri()));
        if (link != null) {
            d.set("metadata", link.metadata().deepCopy());
        }
        return JSON.arrayNode().add(type).add(d);
    }

    /** A file's size when its cap tells it (immutable files), else null. */
    static Long immutableSize(Cap cap) {
        if (cap instanceof LiteralCap lit) {
            return (long) lit.data().length;
        }
        return cap instanceof ChkCap chk ? chk.size() : null;
    }

    static boolean isFile(Cap cap) {
        return cap instanceof LiteralCap || cap instanceof ChkCap || cap instanceof MutableWriteCap
                || cap instanceof MutableReadCap;
    }

    private static String type(Cap cap) {
        if (cap instanceof DirectoryCap dir && !dir.isVerifier()) {
            return "dirnode";
        }
        return cap != null && isFile(cap) ? "filenode" : "unknown";
    }

    /** Tahoe's get_filenode_metadata: mutable, format, and the size when known. */
    private static void fileFields(ObjectNode d, Cap cap, Long size) {
        d.put("mutable", cap.isMutable());
        String format = "CHK";
        if (cap instanceof MutableWriteCap w) {
            format = w.format().name();
        } else if (cap instanceof MutableReadCap r) {
            format = r.format().name();
        }
        d.put("format", format);
        if (size != null) {
            d.put("size", size);
        }
    }

    private static Cap capOf(DirectoryEntry entry) {
        try {
            return entry.cap().orElse(null);
        } catch (IllegalArgumentException malformed) {
            return null; // listed as "unknown", its cap strings as stored
        }
    }

    private static void putIfPresent(ObjectNode d, String key, String value) {
        if (value != null) {
            d.put(key, value);
        }
    }
}
