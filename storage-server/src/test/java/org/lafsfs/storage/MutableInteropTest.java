package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lafsfs.core.Interop;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.CapParser;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.dirnode.DirnodeContents;
import org.lafsfs.core.grid.ClientSecrets;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.EncodingParameters;
import org.lafsfs.core.mutable.Mode;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.core.mutable.MutableKeys;
import org.lafsfs.core.mutable.MutableShareLayout;
import org.lafsfs.core.mutable.MutableVerifier;
import org.lafsfs.core.mutable.Servermap;

/**
 * The proof that lafsfs and Tahoe-LAFS 1.20 share mutable files: the ten
 * storage directories a real Tahoe grid left (testdata/tahoe-1.20), served by
 * this module's storage servers under the servers' own node ids and
 * permutation seeds. Every mutable file and directory Tahoe wrote reads back
 * through its write and read caps as Tahoe's manifest and listings say; then
 * lafsfs writes a new version of each onto Tahoe's very shares (the write
 * enablers Tahoe recorded must accept ours), and the verifier finds every
 * share of the new version good, nothing of the old one left, and Tahoe's
 * lease records still in the containers.
 */
class MutableInteropTest {
    /** A pristine copy of the grid, only ever read. */
    @TempDir
    static Path pristine;
    /** Fresh copies for the tests that write. */
    @TempDir
    Path scratch;

    static ExecutorService executor;
    static Grid readGrid;

    @BeforeAll
    static void start() throws IOException {
        executor = Executors.newFixedThreadPool(8);
        readGrid = grid(pristine);
    }

    @AfterAll
    static void stop() {
        executor.shutdownNow();
    }

    static Stream<String> mutableObjects() {
        return Stream.concat(Interop.objects("mutable-file").stream(), Interop.objects("mutable-directory").stream())
                .map(o -> o.get("name").asText());
    }

    /** The node id (Foolscap tub id) write enablers and lease secrets are derived from, by nickname. */
    static Map<String, byte[]> tubIds() {
        Map<String, byte[]> ids = new TreeMap<>();
        for (JsonNode server : Interop.servers()) {
            ids.put(server.get("nickname").asText(), Base32.decode(server.get("foolscap_tubid").asText()));
        }
        return ids;
    }

    /** The ten interop servers, copied into {@code root}, as a client with its own lease secret sees them. */
    static Grid grid(Path root) throws IOException {
        List<GridServer> servers = new ArrayList<>();
        for (JsonNode server : Interop.servers()) {
            String nickname = server.get("nickname").asText();
            byte[] nodeId = Base32.decode(server.get("foolscap_tubid").asText());
            byte[] seed = Base32.decode(server.get("permutation_seed_base32").asText());
            assertThat(nodeId).hasSize(20);
            Path storage = Interop.copyStorage(nickname, root.resolve(nickname));
            StorageBackend backend = new StorageBackend(storage, nodeId, 0, Clock.systemUTC());
            servers.add(new GridServer(new LocalStorageServer(backend, executor, nickname), nodeId, seed));
        }
        byte[] leaseSecret = new byte[32];
        new SecureRandom().nextBytes(leaseSecret);
        return new Grid(servers, new ClientSecrets(leaseSecret), EncodingParameters.DEFAULT);
    }

    // ---- (1) what Tahoe wrote reads back ----

    @ParameterizedTest
    @MethodSource("mutableObjects")
    void readsBackThroughTheWriteAndTheReadCap(String name) throws Exception {
        JsonNode object = Interop.object(name);
        for (String capField : List.of("writecap", "readcap")) {
            Cap cap = CapParser.parse(object.get(capField).asText());
            MutableFileNode node = new MutableFileNode(readGrid, cap);
            assertThat(node.keys().storageIndex().toString()).isEqualTo(object.get("storage_index").asText());
            var reader = node.reader();
            assertThat(reader.version().seqnum()).as(capField).isEqualTo(object.get("seqnum").asLong());
            byte[] contents = reader.readAll();
            assertThat(reader.problems()).isEmpty();
            if (isDirectory(object)) {
                boolean writable = capField.equals("writecap");
                JsonNode listing = Interop.json(object.get(writable ? "t_json_file" : "ls_json_readonly_file")
                        .asText()).get(1).get("children");
                assertListing(DirnodeContents.unpack(contents, (DirectoryCap) cap), listing, writable);
            } else {
                assertThat(contents).as(capField).isEqualTo(Interop.mutablePlaintext(object));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("mutableObjects")
    void tahoesSharesVerifyHealthy(String name) throws Exception {
        JsonNode object = Interop.object(name);
        MutableVerifier.Report report = new MutableVerifier(readGrid, CapParser.parse(object.get("writecap").asText()))
                .verify();
        assertThat(report.healthy()).as(report.toString()).isTrue();
        var version = report.versions().get(0);
        assertThat(version.version().seqnum()).isEqualTo(object.get("seqnum").asLong());
        assertThat(version.goodSharePlacement()).isEqualTo(tahoePlacement(object));
        // Tahoe's publish put share i on the i-th server of the file's permuted order: our order is Tahoe's.
        Servermap map = new MutableFileNode(readGrid, CapParser.parse(object.get("readcap").asText()))
                .servermap(Mode.CHECK);
        for (int shnum = 0; shnum < 10; shnum++) {
            assertThat(map.permuted().get(shnum).name()).as("share %d", shnum)
                    .isEqualTo(Interop.holder(object, shnum));
        }
    }

    // ---- (2) lafsfs writes onto Tahoe's shares ----

    @ParameterizedTest
    @MethodSource("mutableObjects")
    void lafsfsUpdatesTahoesFileInPlaceOfItsShares(String name) throws Exception {
        JsonNode object = Interop.object(name);
        Grid grid = grid(scratch);
        Cap writeCap = CapParser.parse(object.get("writecap").asText());
        Cap readCap = CapParser.parse(object.get("readcap").asText());
        MutableFileNode node = new MutableFileNode(grid, writeCap);
        long seqnum = object.get("seqnum").asLong();
        byte[] expected;

        if (isDirectory(object)) {
            DirectoryCap dirCap = (DirectoryCap) writeCap;
            ObjectNode metadata = JsonNodeFactory.instance.objectNode();
            metadata.putObject("tahoe").put("linkcrtime", 1795400000.25).put("linkmotime", 1795400000.25);
            DirectoryEntry added = DirectoryEntry.of("added by lafsfs ✓.txt",
                    Cap.parse("URI:LIT:d4tc2nb3ijevav26mvwhg6ubrchznhne"), metadata);
            expected = node.modify(old -> {
                List<DirectoryEntry> children = new ArrayList<>(DirnodeContents.unpack(old, dirCap).values());
                children.add(added);
                return DirnodeContents.pack(children, dirCap);
            });
            seqnum++;
            JsonNode listing = Interop.json(object.get("t_json_file").asText()).get(1).get("children");
            SortedMap<String, DirectoryEntry> children = DirnodeContents.unpack(
                    new MutableFileNode(anotherClient(grid), writeCap).read(), dirCap);
            assertThat(children).containsEntry(added.name(), added);
            Map<String, DirectoryEntry> tahoes = new TreeMap<>(children);
            tahoes.remove(added.name());
            assertListing(tahoes, listing, true);
            assertListingReadOnly(grid, (DirectoryCap) readCap, object, added);
        } else {
            byte[] tahoes = Interop.mutablePlaintext(object);
            if (node.keys().format() == MutableFormat.MDMF) {
                // In place, in the middle: only segment 1 of Tahoe's three is re-encoded; 0 and 2 stay Tahoe's.
                byte[] patch = "written in place by lafsfs".getBytes();
                node.write(150_000, patch);
                seqnum++;
                System.arraycopy(patch, 0, tahoes, 150_000, patch.length);
                assertVerifiedHealthy(grid, writeCap, object, seqnum);
                assertThat(new MutableFileNode(anotherClient(grid), readCap).read()).isEqualTo(tahoes);
                assertOnlySegmentOneWasRewritten(object);
            }
            expected = new byte[tahoes.length + 12_345];
            new java.util.Random(seqnum).nextBytes(expected);
            node.overwrite(expected);
            seqnum++;
        }

        assertVerifiedHealthy(grid, writeCap, object, seqnum);
        assertThat(new MutableFileNode(anotherClient(grid), readCap).read()).isEqualTo(expected);
        assertThat(new MutableFileNode(anotherClient(grid), writeCap).read()).isEqualTo(expected);
        assertContainersKeepTahoesRecords(object, MutableKeys.of(writeCap));
    }

    // ---- helpers ----

    /** Another client of the same servers, with its own lease secret. */
    static Grid anotherClient(Grid grid) {
        byte[] leaseSecret = new byte[32];
        new SecureRandom().nextBytes(leaseSecret);
        return new Grid(grid.servers(), new ClientSecrets(leaseSecret), grid.params());
    }

    /**
     * After the in-place write into Tahoe's three-segment MDMF file, every share
     * still holds Tahoe's own salts and blocks for segments 0 and 2.
     */
    private void assertOnlySegmentOneWasRewritten(JsonNode object) throws Exception {
        int checked = 0;
        for (int shnum : Interop.shareNumbers(object)) {
            String nickname = Interop.holder(object, shnum);
            byte[] theirs = Interop.mutableShareData(Interop.shareFile(object, nickname, shnum));
            String path = object.get("share_files").get(nickname).get(0).asText();
            byte[] ours = Interop.mutableShareData(Files.readAllBytes(
                    scratch.resolve(nickname).resolve(path.substring("storage/".length()))));
            MutableShareLayout layout = MutableShareLayout.parse(theirs);
            assertThat(layout.prefix().segmentCount()).isEqualTo(3);
            assertThat(MutableShareLayout.parse(ours).blockOffset(2)).isEqualTo(layout.blockOffset(2));
            int seg0 = (int) layout.saltOffset(0);
            int seg1 = (int) layout.saltOffset(1);
            int seg2 = (int) layout.saltOffset(2);
            int dataEnd = (int) layout.blockHashTreeField().offset();
            assertThat(Arrays.equals(ours, seg0, seg1, theirs, seg0, seg1)).as("segment 0 of share %d", shnum).isTrue();
            assertThat(Arrays.equals(ours, seg2, dataEnd, theirs, seg2, dataEnd)).as("segment 2 of share %d", shnum)
                    .isTrue();
            assertThat(Arrays.equals(ours, seg1, seg2, theirs, seg1, seg2)).as("segment 1 of share %d", shnum)
                    .isFalse();
            checked++;
        }
        assertThat(checked).isEqualTo(10);
    }

    static boolean isDirectory(JsonNode object) {
        return object.get("kind").asText().equals("mutable-directory");
    }

    /** Share number to the nickname of the server Tahoe put it on. */
    static Map<Integer, List<String>> tahoePlacement(JsonNode object) {
        Map<Integer, List<String>> placement = new TreeMap<>();
        object.get("share_to_servers").fields().forEachRemaining(e -> {
            List<String> servers = new ArrayList<>();
            e.getValue().forEach(s -> servers.add(s.asText()));
            placement.put(Integer.parseInt(e.getKey()), servers);
        });
        return placement;
    }

    /** The new version: all ten shares good, where Tahoe had them, and no share of any other version left. */
    private void assertVerifiedHealthy(Grid grid, Cap writeCap, JsonNode object, long seqnum) {
        MutableVerifier.Report report = new MutableVerifier(grid, writeCap).verify();
        assertThat(report.problems()).as(report.toString()).isEmpty();
        assertThat(report.versions()).as("old versions left: %s", report).hasSize(1);
        assertThat(report.unattributed()).isEmpty();
        assertThat(report.newestHealthy()).isTrue();
        assertThat(report.healthy()).isTrue();
        var version = report.versions().get(0);
        assertThat(version.version().seqnum()).isEqualTo(seqnum);
        assertThat(version.version().k()).isEqualTo(3);
        assertThat(version.version().n()).isEqualTo(10);
        assertThat(version.goodShareNumbers()).hasSize(10);
        assertThat(version.goodSharePlacement()).isEqualTo(tahoePlacement(object));
        // The servermap agrees: one version, every server asked.
        Servermap map = new MutableFileNode(grid, writeCap).servermap(Mode.CHECK);
        assertThat(map.versions().keySet()).containsExactly(version.version());
        assertThat(map.problems()).isEmpty();
    }

    /**
     * The containers lafsfs wrote into are Tahoe's own: same container version,
     * the write enabler Tahoe's client set (derived from the holder's tub id, as
     * ours is), and Tahoe's lease records untouched beside the one our write added.
     */
    private void assertContainersKeepTahoesRecords(JsonNode object, MutableKeys keys) throws IOException {
        Map<String, byte[]> tubIds = tubIds();
        int checked = 0;
        var files = object.get("share_files").fields();
        while (files.hasNext()) {
            var entry = files.next();
            String nickname = entry.getKey();
            for (JsonNode p : entry.getValue()) {
                String path = p.asText();
                Path original = Interop.ROOT.resolve("servers").resolve(nickname).resolve(path);
                Path updated = scratch.resolve(nickname).resolve(path.substring("storage/".length()));
                MutableShareFile before = MutableShareFile.open(original);
                MutableShareFile after = MutableShareFile.open(updated);
                assertThat(after.version()).isEqualTo(before.version());
                assertThat(after.writeEnablerNodeId()).isEqualTo(before.writeEnablerNodeId())
                        .isEqualTo(tubIds.get(nickname));
                byte[] theirs = Arrays.copyOfRange(Files.readAllBytes(original), 52, 84);
                byte[] now = Arrays.copyOfRange(Files.readAllBytes(updated), 52, 84);
                assertThat(now).isEqualTo(theirs).isEqualTo(keys.writeEnabler(tubIds.get(nickname)));
                assertThat(after.checkWriteEnabler(keys.writeEnabler(tubIds.get(nickname)))).isTrue();

                List<Lease> tahoeLeases = before.leases();
                List<Lease> leases = after.leases();
                assertThat(tahoeLeases).isNotEmpty();
                assertThat(leases).hasSize(tahoeLeases.size() + 1);
                for (Lease tahoe : tahoeLeases) {
                    assertThat(leases).as("Tahoe's lease on %s", updated).anySatisfy(l -> {
                        assertThat(l.ownerNumber()).isEqualTo(tahoe.ownerNumber());
                        assertThat(l.renewSecret()).isEqualTo(tahoe.renewSecret());
                        assertThat(l.cancelSecret()).isEqualTo(tahoe.cancelSecret());
                        assertThat(l.expirationTime()).isEqualTo(tahoe.expirationTime());
                        assertThat(l.nodeId()).isEqualTo(tahoe.nodeId());
                    });
                }
                assertThat(leases).anySatisfy(l -> {
                    assertThat(l.nodeId()).isEqualTo(tubIds.get(nickname));
                    assertThat(tahoeLeases).noneSatisfy(t -> assertThat(t.renewSecret()).isEqualTo(l.renewSecret()));
                });
                // And the share data is the new version's, whole.
                assertThat(after.dataLength()).isGreaterThan(0);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(10);
    }

    /** Children as unpacked, against Tahoe's listing of them (with write caps when read through a write cap). */
    private static void assertListing(Map<String, DirectoryEntry> children, JsonNode listing, boolean writable) {
        List<String> names = new ArrayList<>();
        listing.fieldNames().forEachRemaining(names::add);
        assertThat(children.keySet()).containsExactlyInAnyOrderElementsOf(names);
        for (DirectoryEntry child : children.values()) {
            JsonNode tahoe = listing.get(child.name()).get(1);
            assertThat(child.readCap()).as(child.name()).isEqualTo(tahoe.get("ro_uri").asText());
            if (writable && tahoe.has("rw_uri")) {
                assertThat(child.writeCap()).as(child.name()).isEqualTo(tahoe.get("rw_uri").asText());
            } else {
                assertThat(child.writeCap()).as(child.name()).isNull();
            }
            assertThat(child.metadata()).as(child.name()).isEqualTo(tahoe.get("metadata"));
        }
    }

    /** Through the read cap, the updated directory lists Tahoe's read-only listing plus the added child. */
    private void assertListingReadOnly(Grid grid, DirectoryCap readCap, JsonNode object, DirectoryEntry added)
            throws Exception {
        SortedMap<String, DirectoryEntry> children = DirnodeContents.unpack(new MutableFileNode(grid, readCap).read(),
                readCap);
        assertThat(children.get(added.name())).isEqualTo(new DirectoryEntry(added.name(), null, added.readCap(),
                added.metadata()));
        Map<String, DirectoryEntry> tahoes = new HashMap<>(children);
        tahoes.remove(added.name());
        assertListing(tahoes, Interop.json(object.get("ls_json_readonly_file").asText()).get(1).get("children"),
                false);
    }
}
