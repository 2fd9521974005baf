package org.lafsfs.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * Data written by a real Tahoe-LAFS 1.20 grid (testdata/tahoe-1.20 at the top of
 * the repository; see its README): the manifest of objects with their caps, and
 * each storage server's share directory as Tahoe left it.
 */
public final class Interop {
    public static final Path ROOT = locate();
    private static final JsonNode MANIFEST = read(ROOT.resolve("manifest.json"));
    private static final JsonNode SERVERS = read(ROOT.resolve("servers.json"));

    private Interop() {
    }

    private static Path locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("testdata/tahoe-1.20");
            if (Files.isRegularFile(candidate.resolve("manifest.json"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("testdata/tahoe-1.20 not found above " + Path.of("").toAbsolutePath());
    }

    private static JsonNode read(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<JsonNode> objects() {
        return StreamSupport.stream(MANIFEST.get("objects").spliterator(), false).toList();
    }

    public static List<JsonNode> objects(String kind) {
        return objects().stream().filter(o -> o.get("kind").asText().equals(kind)).toList();
    }

    public static JsonNode object(String name) {
        return objects().stream().filter(o -> o.get("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no interop object " + name));
    }

    public static JsonNode manifest() {
        return MANIFEST;
    }

    /** A JSON file of the interop set, by its path relative to the set's root. */
    public static JsonNode json(String relativePath) {
        return read(ROOT.resolve(relativePath));
    }

    public static List<JsonNode> servers() {
        return StreamSupport.stream(SERVERS.get("servers").spliterator(), false).toList();
    }

    public static JsonNode phase(String name) {
        for (JsonNode p : MANIFEST.get("phases")) {
            if (p.get("phase").asText().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no phase " + name);
    }

    public static byte[] convergenceSecret() {
        return HexFormat.of().parseHex(phase("public").get("convergence_secret_hex").asText());
    }

    /** An object's plaintext, regenerated from its content rule: byte i = (i*7 + seed) % 256. */
    public static byte[] plaintext(JsonNode object) {
        return generate(object.get("content"));
    }

    /** What a mutable file holds now (its last version in the history). */
    public static byte[] mutablePlaintext(JsonNode object) {
        return generate(object.get("final_content"));
    }

    private static byte[] generate(JsonNode content) {
        int length = content.get("length").asInt();
        int seed = content.get("seed").asInt();
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) ((i * 7L + seed) % 256);
        }
        return data;
    }

    /** A share file of an object as stored by server {@code nickname} (the whole on-disk container). */
    public static byte[] shareFile(JsonNode object, String nickname, int shareNumber) {
        for (JsonNode file : object.get("share_files").get(nickname)) {
            String path = file.asText();
            if (path.endsWith("/" + shareNumber)) {
                try {
                    return Files.readAllBytes(ROOT.resolve("servers").resolve(nickname).resolve(path));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalArgumentException(nickname + " holds no share " + shareNumber + " of " + object.get("name"));
    }

    /** The server holding share {@code shareNumber} of an object. */
    public static String holder(JsonNode object, int shareNumber) {
        return object.get("share_to_servers").get(Integer.toString(shareNumber)).get(0).asText();
    }

    /**
     * The share data inside an immutable share container (v1 or v2): a 12-byte
     * header of version, data length and lease count, then the share data.
     */
    public static byte[] immutableShareData(byte[] container) {
        ByteBuffer b = ByteBuffer.wrap(container);
        int version = b.getInt();
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("not an immutable share container: version " + version);
        }
        long length = Integer.toUnsignedLong(b.getInt());
        b.getInt(); // lease count
        byte[] data = new byte[(int) length];
        b.get(data);
        return data;
    }

    /** The names of the immutable files stored as CHK (larger than the 55-byte literal threshold). */
    public static java.util.stream.Stream<String> chkFileNames() {
        return objects("immutable-file").stream().filter(o -> o.get("readcap").asText().startsWith("URI:CHK:"))
                .map(o -> o.get("name").asText());
    }

    /** Copies one server's storage directory (as Tahoe left it) to {@code target}, for tests that change it. */
    public static Path copyStorage(String nickname, Path target) {
        Path source = ROOT.resolve("servers").resolve(nickname).resolve("storage");
        try (java.util.stream.Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                Path to = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    public static List<Integer> shareNumbers(JsonNode object) {
        List<Integer> numbers = new ArrayList<>();
        object.get("share_to_servers").fieldNames().forEachRemaining(n -> numbers.add(Integer.parseInt(n)));
        numbers.sort(null);
        return numbers;
    }

    /**
     * The share data inside a mutable share container: after the 32-byte magic,
     * write-enabler node id (20) and write enabler (32), the data length (8) and
     * extra-lease offset (8), and four 92-byte lease slots.
     */
    public static byte[] mutableShareData(byte[] container) {
        ByteBuffer b = ByteBuffer.wrap(container);
        long length = b.getLong(32 + 20 + 32);
        byte[] data = new byte[(int) length];
        b.get(468, data);
        return data;
    }
}
