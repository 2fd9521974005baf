package org.lafsfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.immutable.ShareLayout;
import org.lafsfs.storage.HttpStorageServer;

/**
 * check, deep-check and manifest run in-process against ten HTTPS storage
 * servers, with shares deleted or corrupted on the servers' disks, as a Tahoe
 * user runs tahoe check / deep-check / manifest.
 */
class CheckCommandsTest {
    @TempDir
    static Path storage;

    static TestGrid grid;

    @TempDir
    Path dir;

    Path node;

    @BeforeAll
    static void startGrid() throws Exception {
        grid = TestGrid.start(storage);
    }

    @AfterAll
    static void stopGrid() {
        grid.close();
    }

    @BeforeEach
    void nodeDirectory() throws Exception {
        node = grid.node(dir.resolve("node"));
    }

    @Test
    void aHealthyFileIsDescribedAsTahoeCheckDescribesIt() throws Exception {
        String cap = put(random(50_000, 1));

        String out = ok("check", cap);

        assertThat(out.lines()).containsExactly("Summary: Healthy", " storage index: " + si(cap),
                " good-shares: 10 (encoding is 3-of-10)", " wrong-shares: 0", " happiness: 10");
        JsonNode json = json("check", "--json", cap);
        assertThat(json.get("storage-index").asText()).isEqualTo(si(cap).toString());
        assertThat(json.get("summary").asText()).isEqualTo("Healthy");
        JsonNode results = json.get("results");
        assertThat(results.get("healthy").asBoolean()).isTrue();
        assertThat(results.get("count-shares-good").asInt()).isEqualTo(10);
        assertThat(results.get("count-shares-needed").asInt()).isEqualTo(3);
        assertThat(results.get("count-shares-expected").asInt()).isEqualTo(10);
        assertThat(results.get("count-happiness").asInt()).isEqualTo(10);
        assertThat(results.get("servers-responding")).hasSize(10);
        assertThat(results.get("sharemap")).hasSize(10);
        assertThat(results.get("list-corrupt-shares")).isEmpty();
    }

    @Test
    void missingSharesMakeAFileUnhealthyAndRepairPutsThemBack() throws Exception {
        String cap = put(random(80_000, 2));
        deleteShares(si(cap), 2);

        assertThat(ok("check", cap)).startsWith("Summary: Not Healthy: 8 shares (enc 3-of-10)\n")
                .contains(" good-shares: 8 (encoding is 3-of-10)\n");

        String repaired = ok("check", "--repair", cap);

        assertThat(repaired).startsWith("Summary: not healthy\n").contains(" repair successful\n")
                .contains(" post-repair: Healthy\n").contains("  good-shares: 10 (encoding is 3-of-10)\n");
        assertThat(ok("check", cap)).startsWith("Summary: Healthy\n");
        JsonNode again = json("check", "--repair", "--json", cap);
        assertThat(again.get("repair-attempted").asBoolean()).isFalse();
        assertThat(again.get("pre-repair-results").get("results").get("healthy").asBoolean()).isTrue();
    }

    @Test
    void verifyNamesACorruptShareAndTheJsonLocatesIt() throws Exception {
        String cap = put(random(80_000, 3));
        StorageIndex si = si(cap);
        HttpStorageServer holder = corruptOneShare(si);

        assertThat(ok("check", cap)).startsWith("Summary: Healthy\n");
        String out = ok("check", "--verify", cap);

        assertThat(out).startsWith("Summary: Not Healthy: 9 shares (enc 3-of-10)\n").contains(" corrupt shares:\n")
                .contains(", SI " + si + ", shnum ");
        JsonNode results = json("check", "--verify", "--json", cap).get("results");
        assertThat(results.get("count-corrupt-shares").asInt()).isEqualTo(1);
        JsonNode locator = results.get("list-corrupt-shares").get(0);
        assertThat(locator.get(0).asText()).as("Tahoe names servers by node id")
                .isEqualTo(org.lafsfs.core.codec.Base32.encode(holder.identity().tubId()));
        assertThat(locator.get(1).asText()).isEqualTo(si.toString());

        JsonNode repair = json("check", "--verify", "--repair", "--json", cap);
        assertThat(repair.get("repair-successful").asBoolean()).isTrue();
        assertThat(repair.get("post-repair-results").get("results").get("count-shares-good").asInt()).isEqualTo(10);
    }

    @Test
    void addLeaseRenewsTheUploadsOwnLeaseAndAnotherNodeAddsItsOwn() throws Exception {
        String cap = put(random(30_000, 5));
        assertThat(leaseCounts(si(cap))).hasSize(10).containsOnly(1);

        assertThat(ok("check", "--add-lease", cap)).startsWith("Summary: Healthy\n");
        assertThat(leaseCounts(si(cap))).as("the same secrets renew the same lease").containsOnly(1);

        node = grid.node(dir.resolve("another-node"));
        ok("check", "--add-lease", cap);
        assertThat(leaseCounts(si(cap))).as("a node with its own lease secret").containsOnly(2);
    }

    @Test
    void aLiteralFileIsHealthyAndHasNoStorageIndex() throws Exception {
        String cap = put("tiny".getBytes(StandardCharsets.UTF_8));
        assertThat(cap).startsWith("URI:LIT:");
        assertThat(ok("check", cap).lines()).containsExactly("Summary: Healthy (LIT)", " storage index: ");
        JsonNode json = json("check", "--json", cap);
        assertThat(json.get("storage-index").asText()).isEmpty();
        assertThat(json.get("results").size()).isEqualTo(1);
    }

    @Test
    void badInputIsOneSentenceAndExitCodeTwo() throws Exception {
        ok("create-alias", "tahoe");
        CapCommandTest.Result malformed = lafsfs("check", "URI:CHK:notacap");
        assertThat(malformed.exitCode()).isEqualTo(2);
        assertThat(malformed.err().lines()).singleElement().asString().startsWith("lafsfs: ");
        CapCommandTest.Result missing = lafsfs("check", "tahoe:nothing/here");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err().lines()).singleElement().asString().contains("nothing");
        String file = put(random(1000, 4));
        CapCommandTest.Result notADirectory = lafsfs("deep-check", file);
        assertThat(notADirectory.exitCode()).isEqualTo(2);
        assertThat(notADirectory.err()).contains("not a directory");
        assertThat(lafsfs("manifest", "tahoe:nothing").exitCode()).isEqualTo(2);
    }

    @Test
    void deepCheckCountsEveryObjectOnceAndRepairsTheDamagedOne() throws Exception {
        Tree tree = tree();
        assertThat(ok("deep-check", "docs:").lines()).containsExactly(
                "done: 4 objects checked, 4 healthy, 0 unhealthy, 0 unrecoverable, 0 corrupt shares");
        assertThat(ok("deep-check", "-v", "docs:").lines()).containsExactly("<root>: Healthy", "again: Healthy",
                "note: Healthy (LIT)", "sub: Healthy", "sub/other: Healthy",
                "done: 4 objects checked, 4 healthy, 0 unhealthy, 0 unrecoverable, 0 corrupt shares");
        deleteShares(si(tree.big), 3);

        String out = ok("deep-check", "--verify", "docs:");

        assertThat(out.lines()).as("big is checked once, under the name it was first reached by")
                .containsExactly("again: Not Healthy: 7 shares (enc 3-of-10)",
                        "done: 4 objects checked, 3 healthy, 1 unhealthy, 0 unrecoverable, 0 corrupt shares");
        String repaired = ok("deep-check", "--repair", "docs:");
        assertThat(repaired.lines()).containsExactly("again: Not Healthy: 7 shares (enc 3-of-10)",
                " repair successful", "done: 4 objects checked",
                " pre-repair: 3 healthy, 1 unhealthy, 0 unrecoverable, 0 corrupt shares",
                " 1 repairs attempted, 1 successful, 0 failed",
                " post-repair: 4 healthy, 0 unhealthy, 0 unrecoverable");
        JsonNode json = json("deep-check", "--json", "docs:");
        assertThat(json.get("count-objects-checked").asInt()).isEqualTo(4);
        assertThat(json.get("count-objects-healthy").asInt()).isEqualTo(4);
        assertThat(json.get("count-objects-unrecoverable").asInt()).isZero();
        assertThat(json.get("root-storage-index").asText()).isEqualTo(si(tree.root).toString());
        assertThat(json.get("list-unhealthy-files")).isEmpty();
    }

    @Test
    void deepCheckReportsAnUnrecoverableFileAndGoesOn() throws Exception {
        Tree tree = tree();
        deleteShares(si(tree.other), 8);

        JsonNode json = json("deep-check", "--json", "docs:");

        assertThat(json.get("count-objects-checked").asInt()).isEqualTo(4);
        assertThat(json.get("count-objects-unhealthy").asInt()).isEqualTo(1);
        assertThat(json.get("count-objects-unrecoverable").asInt()).isEqualTo(1);
        JsonNode unhealthy = json.get("list-unhealthy-files").get(0);
        assertThat(unhealthy.get(0).toString()).isEqualTo("[\"sub\",\"other\"]");
        assertThat(unhealthy.get(1).get("results").get("recoverable").asBoolean()).isFalse();
    }

    @Test
    void manifestListsEveryObjectOnceWithItsCapStorageIndexAndVerifyCap() throws Exception {
        Tree tree = tree();

        assertThat(ok("manifest", "docs:").lines()).containsExactly(tree.root, tree.big + " again",
                tree.small + " note", tree.sub + " sub", tree.other + " sub/other");
        assertThat(ok("manifest", "--storage-index", "docs:").lines()).containsExactly(si(tree.root).toString(),
                si(tree.big).toString(), si(tree.sub).toString(), si(tree.other).toString());
        assertThat(ok("manifest", "--verify-cap", "docs:").lines()).hasSize(4).allMatch(
                line -> Cap.parse(line).isVerifier());

        JsonNode json = json("manifest", "--json", "docs:");
        assertThat(json.get("origin_si").asText()).isEqualTo(si(tree.root).toString());
        JsonNode objects = json.get("objects");
        assertThat(objects).hasSize(5);
        JsonNode big = objects.get(1);
        assertThat(big.get("path").toString()).isEqualTo("[\"again\"]");
        assertThat(big.get("cap").asText()).isEqualTo(tree.big);
        assertThat(big.get("storage-index").asText()).isEqualTo(si(tree.big).toString());
        assertThat(big.get("verifycap").asText()).isEqualTo(Cap.parse(tree.big).verifyCap().orElseThrow().uri());
        assertThat(objects.get(2).get("storage-index").isNull()).as("a LIT file is not stored").isTrue();
        assertThat(json.get("manifest").get(0).toString()).isEqualTo("[[]," + "\"" + tree.root + "\"]");
    }

    // ---- helpers ----

    record Tree(String root, String sub, String big, String other, String small) {
    }

    /**
     * docs: holds note (a LIT file), sub/ holding big and other (CHK files), and again, a second link to
     * big, which comes first in name order.
     */
    Tree tree() throws Exception {
        ok("create-alias", "docs");
        String small = ok("put", local("note", "short".getBytes(StandardCharsets.UTF_8)), "docs:note").strip();
        String big = ok("put", local("big", random(60_000, 9)), "docs:sub/big").strip();
        String other = ok("put", local("other", random(40_000, 10)), "docs:sub/other").strip();
        ok("ln", "docs:sub/big", "docs:again");
        String sub = new ObjectMapper().readTree(ok("ls", "--json", "docs:sub")).get(1).get("rw_uri").asText();
        return new Tree(aliasCap("docs"), sub, big, other, small);
    }

    String aliasCap(String alias) throws Exception {
        return new ObjectMapper().readTree(ok("list-aliases", "--json")).get(alias).get("readwrite").asText();
    }

    CapCommandTest.Result lafsfs(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--node-dir";
        all[1] = node.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CapCommandTest.run(all);
    }

    String ok(String... args) {
        CapCommandTest.Result r = lafsfs(args);
        assertThat(r.exitCode()).as("lafsfs %s: %s", String.join(" ", args), r.err()).isZero();
        return r.out();
    }

    JsonNode json(String... args) throws Exception {
        return new ObjectMapper().readTree(ok(args));
    }

    String put(byte[] data) throws Exception {
        return ok("put", local("upload", data)).strip();
    }

    String local(String name, byte[] data) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, data);
        return file.toString();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static StorageIndex si(String cap) {
        return Cap.parse(cap).storageIndex().orElseThrow();
    }

    static Path shareDir(HttpStorageServer server, StorageIndex si) {
        return server.backend().storageDir().resolve("shares").resolve(si.prefix()).resolve(si.toString());
    }

    /** Deletes {@code count} shares of a file from the servers' disks. */
    static void deleteShares(StorageIndex si, int count) throws Exception {
        List<Path> files = new ArrayList<>();
        for (HttpStorageServer s : grid.servers()) {
            Path d = shareDir(s, si);
            if (Files.isDirectory(d)) {
                try (var list = Files.list(d)) {
                    files.addAll(list.toList());
                }
            }
        }
        for (Path f : files.subList(0, count)) {
            Files.delete(f);
        }
    }

    /** Flips a byte in the first block of one share; returns its server. */
    static HttpStorageServer corruptOneShare(StorageIndex si) throws Exception {
        for (HttpStorageServer s : grid.servers()) {
            Path d = shareDir(s, si);
            if (Files.isDirectory(d)) {
                try (var list = Files.list(d)) {
                    Path share = list.findFirst().orElseThrow();
                    byte[] bytes = Files.readAllBytes(share);
                    ShareLayout layout = ShareLayout.parse(java.util.Arrays.copyOfRange(bytes, 12, 12 + 0x44));
                    bytes[(int) (12 + layout.dataOffset() + 5)] ^= 0x55; // past the container's 12-byte header
                    Files.write(share, bytes);
                    return s;
                }
            }
        }
        throw new IllegalStateException("no share of " + si);
    }

    /** How many leases each share of a file carries (the lease count in each container's header). */
    static List<Integer> leaseCounts(StorageIndex si) throws Exception {
        List<Integer> counts = new ArrayList<>();
        for (HttpStorageServer s : grid.servers()) {
            Path d = shareDir(s, si);
            if (Files.isDirectory(d)) {
                try (var list = Files.list(d)) {
                    for (Path share : list.toList()) {
                        counts.add(java.nio.ByteBuffer.wrap(Files.readAllBytes(share), 8, 4).getInt());
                    }
                }
            }
        }
        return counts;
    }
}
