package org.lafsfs.dropupload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What has been handed to the grid, by relative path: each file's size,
 * modification time and content hash (and each directory), kept on disk so
 * that a restart uploads exactly what changed while lafsfs was not running.
 * A file whose size and time are unchanged is not read again; one whose hash
 * is unchanged is not uploaded again.
 */
final class UploadedFiles {
    private static final Logger log = LoggerFactory.getLogger(UploadedFiles.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One uploaded path: a directory (no size or hash), or a file as it was when read, with the read cap it
     * was linked under when that was known (null while its upload was still on its way).
     */
    record Entry(boolean directory, long size, long modifiedMillis, String sha256, String cap) {
        static Entry ofDirectory(String cap) {
            return new Entry(true, 0, 0, null, cap);
        }
    }

    private final Path file;
    private final TreeMap<String, Entry> entries = new TreeMap<>();
    private final Map<String, Set<String>> byHash = new HashMap<>();
    private boolean changed;

    private UploadedFiles(Path file) {
        this.file = file;
    }

    /** Reads the state file; a missing one is an empty state, a damaged one too (everything is compared again). */
    static UploadedFiles load(Path file) throws IOException {
        UploadedFiles state = new UploadedFiles(file);
        if (Files.exists(file)) {
            try {
                JsonNode root = JSON.readTree(file.toFile());
                root.path("entries").fields().forEachRemaining(e -> {
                    JsonNode v = e.getValue();
                    state.put(e.getKey(), new Entry(v.path("dir").asBoolean(), v.path("size").asLong(),
                            v.path("mtime").asLong(), v.hasNonNull("sha256") ? v.get("sha256").asText() : null,
                            v.hasNonNull("cap") ? v.get("cap").asText() : null));
                });
            } catch (IOException | RuntimeException e) {
                log.warn("{} is unreadable ({}); every file is compared with the grid again", file, e.toString());
                state.entries.clear();
                state.byHash.clear();
            }
            state.changed = false;
        }
        return state;
    }

    synchronized Optional<Entry> get(String path) {
        return Optional.ofNullable(entries.get(path));
    }

    synchronized void put(String path, Entry entry) {
        remove(path);
        entries.put(path, entry);
        if (entry.sha256() != null) {
            byHash.computeIfAbsent(entry.sha256(), h -> new HashSet<>()).add(path);
        }
        changed = true;
    }

    synchronized void remove(String path) {
        Entry old = entries.remove(path);
        if (old != null) {
            changed = true;
            if (old.sha256() != null) {
                Set<String> same = byHash.get(old.sha256());
                same.remove(path);
                if (same.isEmpty()) {
                    byHash.remove(old.sha256());
                }
            }
        }
    }

    /** The paths holding exactly these contents (candidates for a rename). */
    synchronized List<String> withHash(String sha256) {
        return new ArrayList<>(byHash.getOrDefault(sha256, Set.of()));
    }

    /** Every path at or below {@code dir}, deepest first (the order they can be removed in). */
    synchronized List<String> subtree(String dir) {
        List<String> below = new ArrayList<>();
        if (entries.containsKey(dir)) {
            below.add(dir);
        }
        // "dir/" to "dir0" ('0' follows '/'): exactly the paths below, whatever sorts between ("dir.zip")
        below.addAll(entries.subMap(dir + "/", dir + "0").keySet());
        below.sort((a, b) -> Long.compare(b.chars().filter(c -> c == '/').count(),
                a.chars().filter(c -> c == '/').count()));
        return below;
    }

    synchronized Set<String> paths() {
        return new HashSet<>(entries.keySet());
    }

    synchronized int size() {
        return entries.size();
    }

    /** Writes the state if it changed: whole, forced, then moved into place, so a crash leaves old or new. */
    synchronized void save() throws IOException {
        if (!changed) {
            return;
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("version", 1);
        ObjectNode all = root.putObject("entries");
        entries.forEach((path, e) -> {
            ObjectNode v = all.putObject(path);
            if (e.directory()) {
                v.put("dir", true);
            } else {
                v.put("size", e.size()).put("mtime", e.modifiedMillis()).put("sha256", e.sha256());
            }
            if (e.cap() != null) {
                v.put("cap", e.cap());
            }
        });
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(JSON.writeValueAsBytes(root));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        changed = false;
    }
}
