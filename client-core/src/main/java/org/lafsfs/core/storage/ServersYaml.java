package org.lafsfs.core.storage;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Tahoe node's {@code private/servers.yaml}: static storage servers, each
 * under {@code storage: <server id>: ann: {...}}.
 */
public final class ServersYaml {
    private ServersYaml() {
    }

    public static List<ServerAnnouncement> read(Path file) throws IOException {
        Map<String, Object> root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readValue(Files.readAllBytes(file),
                    new TypeReference<Map<String, Object>>() { });
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + " is not valid YAML: " + e.getOriginalMessage(), e);
        }
        List<ServerAnnouncement> servers = new ArrayList<>();
        if (root == null || !(root.get("storage") instanceof Map<?, ?> storage)) {
            return servers;
        }
        for (Map.Entry<?, ?> e : new TreeMap<>(storage).entrySet()) {
            String serverId = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> entry) || !(entry.get("ann") instanceof Map<?, ?> ann)) {
                throw new IOException(file + ": server " + serverId + " has no 'ann' mapping");
            }
            @SuppressWarnings("unchecked")
            Map<String, ?> announcement = (Map<String, ?>) ann;
            try {
                servers.add(ServerAnnouncement.fromAnnouncement(serverId, announcement));
            } catch (IllegalArgumentException ex) {
                throw new IOException(file + ": server " + serverId + ": " + ex.getMessage(), ex);
            }
        }
        return servers;
    }

    /** Writes servers in the same format (atomically), e.g. for the embedded grid. */
    public static void write(Path file, List<Map.Entry<String, Map<String, Object>>> announcements)
            throws IOException {
        Map<String, Object> storage = new TreeMap<>();
        for (Map.Entry<String, Map<String, Object>> a : announcements) {
            storage.put(a.getKey(), Map.of("ann", a.getValue()));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        new ObjectMapper(new YAMLFactory()).writeValue(tmp.toFile(), Map.of("storage", storage));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
