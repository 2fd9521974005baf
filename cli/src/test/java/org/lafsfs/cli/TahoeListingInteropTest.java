package org.lafsfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lafsfs.core.codec.Base32;

/**
 * {@code lafsfs ls --json} and {@code get} on directories a real Tahoe-LAFS
 * 1.20 grid wrote (testdata/tahoe-1.20): copies of its ten servers' storage
 * directories served over HTTPS, announced in servers.yaml under Tahoe's own
 * server ids, permutation seeds and FURLs. The listing must be the one
 * {@code tahoe ls --json} printed for the same cap, value for value. (The
 * recorded files were re-serialized with sorted keys and raw UTF-8, so the
 * comparison is of the JSON values, not the bytes; key order and escaping are
 * checked on lafsfs's own directories in DirectoryCommandsTest.)
 */
class TahoeListingInteropTest {
    private static final Path TESTDATA = locate();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static TestGrid grid;
    static Path node;

    private static Path locate() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("testdata/tahoe-1.20/manifest.json"))) {
                return d.resolve("testdata/tahoe-1.20");
            }
        }
        throw new IllegalStateException("testdata/tahoe-1.20 not found above " + Path.of("").toAbsolutePath());
    }

    private static JsonNode read(String relative) {
        try {
            return JSON.readTree(TESTDATA.resolve(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Stream<JsonNode> objects() {
        return StreamSupport.stream(read("manifest.json").get("objects").spliterator(), false);
    }

    private static JsonNode object(String name) {
        return objects().filter(o -> o.get("name").asText().equals(name)).findFirst().orElseThrow();
    }

    @BeforeAll
    static void serveTahoesStorage() throws Exception {
        List<Path> storage = new ArrayList<>();
        List<TestGrid.TahoeIds> ids = new ArrayList<>();
        for (JsonNode server : read("servers.json").get("servers")) {
            Path copy = dir.resolve(server.get("nickname").asText());
            copyTree(TESTDATA.resolve(server.get("storage_dir_copy").asText()), copy);
            storage.add(copy);
            ids.add(new TestGrid.TahoeIds(server.get("nodeid").asText(), server.get("nickname").asText(),
                    server.get("anonymous_storage_FURL").asText(), server.get("permutation_seed_base32").asText(),
                    Base32.decode(server.get("foolscap_tubid").asText())));
        }
        grid = TestGrid.serve(storage, ids);
        node = grid.node(dir.resolve("node"));
    }

    @AfterAll
    static void stop() {
        grid.close();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static String ok(String... args) {
        String[] all = Stream.concat(Stream.of("--node-dir", node.toString()), Stream.of(args)).toArray(String[]::new);
        CapCommandTest.Result r = CapCommandTest.run(all);
        assertThat(r.exitCode()).as("lafsfs %s: %s", String.join(" ", args), r.err()).isZero();
        return r.out();
    }

    /** A listing tahoe ls --json printed: of which directory, through which cap, in which file. */
    record Listing(String name, String cap, String recorded) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every directory with a recorded listing, through its strongest cap and, where recorded, its read cap. */
    static Stream<Listing> listings() {
        return objects().filter(o -> o.has("ls_json_file")).flatMap(o -> {
            String name = o.get("name").asText();
            String strongest = o.get("writecap").isNull() ? o.get("readcap").asText() : o.get("writecap").asText();
            Listing full = new Listing(name, strongest, o.get("ls_json_file").asText());
            return o.hasNonNull("ls_json_readonly_file") ? Stream.of(full, new Listing(name + " (read-only)",
                    o.get("readcap").asText(), o.get("ls_json_readonly_file").asText())) : Stream.of(full);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listings")
    void lsJsonIsWhatTahoeLsJsonPrinted(Listing listing) throws Exception {
        assertThat(JSON.readTree(ok("ls", "--json", listing.cap()))).isEqualTo(read(listing.recorded()));
    }

    /** Every file of the set, by name, with the web API's ?t=json of it (what tahoe ls --json prints for a file). */
    static Stream<String> files() {
        return objects().filter(o -> o.has("t_json")).map(o -> o.get("name").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void lsJsonOfAFileIsWhatTheWebApiGaveForIt(String name) throws Exception {
        JsonNode object = object(name);
        String cap = object.hasNonNull("writecap") ? object.get("writecap").asText() : object.get("readcap").asText();
        assertThat(JSON.readTree(ok("ls", "--json", cap))).isEqualTo(object.get("t_json"));
    }

    @Test
    void theRecordedSetHasEveryKindOfDirectory() {
        assertThat(listings().map(Listing::name)).contains("dir-sdmf", "dir-sdmf (read-only)", "dir-sdmf-subdir",
                "dir-mdmf", "dir-mdmf (read-only)", "dir-chk", "dir-lit-empty", "dir-lit-one-child");
    }

    @Test
    void getFollowsPathsThroughTahoeWrittenDirectories() throws Exception {
        String dirSdmf = object("dir-sdmf").get("writecap").asText();
        assertThat(get(dirSdmf + "/subdir/inner.txt")).isEqualTo(plaintext(32, 100));
        assertThat(get(dirSdmf + "/café ☕.txt")).isEqualTo(plaintext(33, 100));
        // An MDMF file linked into the directory, read as a mutable file.
        JsonNode mdmf = object("mut-mdmf-300000").get("final_content");
        assertThat(get(dirSdmf + "/mdmf-link")).isEqualTo(plaintext(mdmf.get("seed").asInt(),
                mdmf.get("length").asInt()));
        assertThat(ok("ls", dirSdmf + "/subdir")).isEqualTo("inner.txt\n");
    }

    private static byte[] get(String path) throws IOException {
        Path out = Files.createTempFile(dir, "get", ".bin");
        ok("get", path, "-o", out.toString());
        return Files.readAllBytes(out);
    }

    /** The interop set's content rule: byte i = (i*7 + seed) % 256. */
    private static byte[] plaintext(int seed, int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) ((i * 7L + seed) % 256);
        }
        return data;
    }
}
