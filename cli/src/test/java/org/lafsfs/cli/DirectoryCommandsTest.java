package org.lafsfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Tahoe-style file-store commands — put, get, mkdir, ls, ln, mv, unlink
 * and the alias commands — run in-process against ten HTTPS storage servers,
 * spelled as a Tahoe user spells them. Each test has a node directory of its
 * own (and so aliases of its own) over the one grid.
 */
class DirectoryCommandsTest {
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

    CapCommandTest.Result lafsfs(String... args) {
        return lafsfsWithInput(new byte[0], args);
    }

    CapCommandTest.Result lafsfsWithInput(byte[] input, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--node-dir";
        all[1] = node.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CapCommandTest.runWithInput(input, all);
    }

    /** Runs a command that must succeed; returns its standard output. */
    String ok(String... args) {
        CapCommandTest.Result r = lafsfs(args);
        assertThat(r.exitCode()).as("lafsfs %s: %s", String.join(" ", args), r.err()).isZero();
        return r.out();
    }

    Path localFile(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    String read(String path) {
        return ok("get", path);
    }

    @Nested
    class MutableFiles {
        @Test
        void putMutableCreatesAnSdmfFileAndPutToItsWriteCapReplacesItsContents() throws Exception {
            CapCommandTest.Result put = lafsfs("put", "--mutable", localFile("v1.txt", "version one").toString());
            assertThat(put.exitCode()).as(put.err()).isZero();
            String cap = put.out().strip();
            assertThat(cap).startsWith("URI:SSK:");
            assertThat(put.err().strip()).isEqualTo("200 OK"); // Tahoe's status line for an unlinked upload
            assertThat(read(cap)).isEqualTo("version one");

            CapCommandTest.Result overwrite = lafsfs("put", localFile("v2.txt", "version two").toString(), cap);
            assertThat(overwrite.exitCode()).as(overwrite.err()).isZero();
            assertThat(overwrite.out().strip()).isEqualTo(cap);
            assertThat(overwrite.err().strip()).isEqualTo("200 OK");
            assertThat(read(cap)).isEqualTo("version two");
        }

        @Test
        void formatMdmfAndTheShortFlagAreAccepted() throws Exception {
            String mdmf = ok("put", "-m", "--format=mdmf", localFile("m.txt", "mdmf body").toString()).strip();
            assertThat(mdmf).startsWith("URI:MDMF:");
            assertThat(read(mdmf)).isEqualTo("mdmf body");
            // The read cap reads it too.
            String readCap = CapCommandTest.run("cap", mdmf).out().lines()
                    .filter(l -> l.startsWith("read cap:")).findFirst().orElseThrow().substring(15).strip();
            assertThat(read(readCap)).isEqualTo("mdmf body");
        }

        @Test
        void standardInputIsUploadedWhenFromIsADashOrMissing() {
            CapCommandTest.Result dash = lafsfsWithInput("from stdin".getBytes(StandardCharsets.UTF_8), "put", "-");
            assertThat(dash.exitCode()).as(dash.err()).isZero();
            assertThat(read(dash.out().strip())).isEqualTo("from stdin");
            CapCommandTest.Result none = lafsfsWithInput("also stdin".getBytes(StandardCharsets.UTF_8), "put", "-m");
            assertThat(none.exitCode()).as(none.err()).isZero();
            assertThat(read(none.out().strip())).isEqualTo("also stdin");
        }

        @Test
        void anExistingMutableFileAtAPathIsChangedInPlaceEvenWithoutMutable() throws Exception {
            ok("create-alias", "work");
            CapCommandTest.Result first = lafsfs("put", "--mutable", localFile("a", "first").toString(), "work:notes");
            assertThat(first.err().strip()).isEqualTo("201 Created");
            String cap = first.out().strip();
            CapCommandTest.Result second = lafsfs("put", localFile("b", "second").toString(), "work:notes");
            assertThat(second.exitCode()).as(second.err()).isZero();
            assertThat(second.err().strip()).isEqualTo("200 OK");
            assertThat(second.out().strip()).isEqualTo(cap);
            assertThat(read("work:notes")).isEqualTo("second");
        }
    }

    @Nested
    class AliasFile {
        @Test
        void createAliasMakesADirectoryAndWritesTahoesAliasesFile() throws Exception {
            assertThat(ok("create-alias", "work:")).isEqualTo("Alias 'work' created\n");
            String aliases = Files.readString(node.resolve("private/aliases"));
            assertThat(aliases).matches("work: URI:DIR2:[a-z2-7]{26}:[a-z2-7]{52}\n");
            String cap = aliases.substring("work: ".length()).strip();
            assertThat(ok("list-aliases")).isEqualTo("  work: " + cap + "\n");
            assertThat(ok("ls", "work:")).isEmpty();
        }

        @Test
        void addAliasNamesAnExistingDirectoryAndListAliasesShowsThemAll() throws Exception {
            String dircap = ok("mkdir").strip();
            assertThat(ok("add-alias", "shared", dircap)).isEqualTo("Alias 'shared' added\n");
            ok("create-alias", "tahoe");
            JsonNode json = new ObjectMapper().readTree(ok("list-aliases", "--json"));
            assertThat(json.get("shared").get("readwrite").asText()).isEqualTo(dircap);
            assertThat(json.get("shared").get("readonly").asText()).startsWith("URI:DIR2-RO:");
            assertThat(ok("list-aliases", "--readonly-uri").lines())
                    .containsExactly("  shared: " + json.get("shared").get("readonly").asText(),
                            "   tahoe: " + json.get("tahoe").get("readonly").asText());
        }

        @Test
        void pathsWithoutAnAliasAreInTheTahoeAlias() throws Exception {
            ok("create-alias", "tahoe");
            ok("put", localFile("f", "in the default alias").toString(), "docs/f.txt");
            assertThat(ok("ls")).isEqualTo("docs\n");
            assertThat(ok("ls", "tahoe:/")).isEqualTo("docs\n"); // as CLI.rst: tahoe:/ is the alias's root
            assertThat(read("tahoe:docs/f.txt")).isEqualTo("in the default alias");
        }

        @Test
        void aTahoeNodesRootDirCapIsTheTahoeAlias() throws Exception {
            String dircap = ok("mkdir").strip();
            Files.writeString(node.resolve("private/root_dir.cap"), dircap + "\n");
            assertThat(ok("list-aliases")).isEqualTo("  tahoe: " + dircap + "\n");
        }

        @Test
        void anAliasCanBeMadeOnlyOnceAndNamesHaveNoColonsOrSpaces() {
            ok("create-alias", "work");
            CapCommandTest.Result again = lafsfs("create-alias", "work");
            assertThat(again.exitCode()).isEqualTo(2);
            assertThat(again.err().strip()).isEqualTo("lafsfs: alias 'work' already exists");
            assertThat(lafsfs("create-alias", "a:b").err()).contains("cannot contain colons");
            assertThat(lafsfs("add-alias", "a b", "URI:DIR2-LIT:").err()).contains("cannot contain spaces");
            CapCommandTest.Result notADir = lafsfs("add-alias", "f", "URI:LIT:mzxw6ytboi");
            assertThat(notADir.exitCode()).isEqualTo(2);
            assertThat(notADir.err()).contains("is not a directory cap");
        }
    }

    @Nested
    class Directories {
        @Test
        void mkdirWithoutAPathPrintsANewUnlinkedDirectory() {
            assertThat(ok("mkdir").strip()).startsWith("URI:DIR2:");
            String mdmf = ok("mkdir", "--format=MDMF").strip();
            assertThat(mdmf).startsWith("URI:DIR2-MDMF:");
            assertThat(ok("ls", mdmf)).isEmpty();
        }

        @Test
        void mkdirAtAPathLinksItCreatesMissingParentsAndKeepsAnExistingDirectory() {
            ok("create-alias", "work");
            String deep = ok("mkdir", "work:a/b/c").strip();
            assertThat(deep).startsWith("URI:DIR2:");
            assertThat(ok("ls", "work:")).isEqualTo("a\n");
            assertThat(ok("ls", "work:a/b")).isEqualTo("c\n");
            assertThat(ok("mkdir", "work:a/b/c").strip()).isEqualTo(deep);
            assertThat(ok("ls", "-F", "work:a")).isEqualTo("b/\n");
        }

        @Test
        void putLinksAtAPathAndReplacesAnImmutableFileThere() throws Exception {
            ok("create-alias", "work");
            CapCommandTest.Result put = lafsfs("put", localFile("a.txt", "one").toString(), "work:docs/a.txt");
            assertThat(put.exitCode()).as(put.err()).isZero();
            assertThat(put.err().strip()).isEqualTo("201 Created");
            assertThat(put.out().strip()).startsWith("URI:LIT:");
            CapCommandTest.Result replace = lafsfs("put", localFile("b.txt", "x".repeat(1000)).toString(),
                    "work:docs/a.txt");
            assertThat(replace.err().strip()).isEqualTo("200 OK");
            assertThat(replace.out().strip()).startsWith("URI:CHK:").endsWith(":3:10:1000");
            assertThat(read("work:docs/a.txt")).isEqualTo("x".repeat(1000));
        }

        @Test
        void lsListsNamesSortedAndLongFormatLikeTahoe() throws Exception {
            ok("create-alias", "work");
            ok("put", localFile("big", "b".repeat(1000)).toString(), "work:big.bin");
            ok("put", "--mutable", localFile("m", "mutable").toString(), "work:mutable.txt");
            ok("mkdir", "work:sub");
            assertThat(ok("ls", "work:").lines()).containsExactly("big.bin", "mutable.txt", "sub");
            assertThat(ok("ls", "--classify", "work:").lines()).containsExactly("big.bin", "mutable.txt*", "sub/");
            // drwx, size (? for mutable files, - for directories), link time, name: columns right-aligned.
            assertThat(ok("ls", "-l", "work:").lines()).satisfiesExactly(
                    l -> assertThat(l).matches("-r-- 1000 [A-Z][a-z]{2} \\d\\d \\d\\d:\\d\\d     big\\.bin"),
                    l -> assertThat(l).matches("-rw-    \\? [A-Z][a-z]{2} \\d\\d \\d\\d:\\d\\d mutable\\.txt"),
                    l -> assertThat(l).matches("drwx    - [A-Z][a-z]{2} \\d\\d \\d\\d:\\d\\d         sub"));
            String bigCap = ok("ls", "--uri", "work:").lines().findFirst().orElseThrow();
            assertThat(bigCap).matches("    big\\.bin URI:CHK:\\S+:3:10:1000");
            // ls of a file describes that one file.
            assertThat(ok("ls", "-l", "work:big.bin")).matches("-r-- 1000 .* big\\.bin\n");
        }

        @Test
        void lsJsonOfAnEmptyDirectoryIsTahoesTextExactly() {
            String dircap = ok("mkdir").strip();
            String ro = CapCommandTest.run("cap", dircap).out().lines().filter(l -> l.startsWith("read cap:"))
                    .findFirst().orElseThrow().substring(15).strip();
            String verify = CapCommandTest.run("cap", dircap).out().lines().filter(l -> l.startsWith("verify cap:"))
                    .findFirst().orElseThrow().substring(15).strip();
            assertThat(ok("ls", "--json", dircap)).isEqualTo("[\n \"dirnode\",\n {\n  \"children\": {},\n"
                    + "  \"ro_uri\": \"" + ro + "\",\n  \"rw_uri\": \"" + dircap + "\",\n  \"verify_uri\": \""
                    + verify + "\",\n  \"mutable\": true\n }\n]\n");
        }

        @Test
        void lsJsonDescribesEachChildAsTahoesWebApiDoes() throws Exception {
            ok("create-alias", "work");
            String chk = ok("put", localFile("big", "b".repeat(1000)).toString(), "work:big.bin").strip();
            String sdmf = ok("put", "--mutable", localFile("m", "mutable").toString(), "work:café ☕.txt").strip();
            String sub = ok("mkdir", "work:sub").strip();
            String text = ok("ls", "--json", "work:");
            // ASCII only, as Python's json.dumps writes it.
            assertThat(text).doesNotContainPattern("[^\\x00-\\x7F]").contains("\"caf\\u00e9 \\u2615.txt\"");
            JsonNode listing = new ObjectMapper().readTree(text);
            assertThat(listing.get(0).asText()).isEqualTo("dirnode");
            JsonNode children = listing.get(1).get("children");
            assertThat(children.fieldNames()).toIterable().containsExactly("big.bin", "café ☕.txt", "sub");

            JsonNode file = children.get("big.bin");
            assertThat(file.get(0).asText()).isEqualTo("filenode");
            assertThat(file.get(1).fieldNames()).toIterable()
                    .containsExactly("mutable", "format", "size", "metadata", "ro_uri", "verify_uri");
            assertThat(file.get(1).get("ro_uri").asText()).isEqualTo(chk);
            assertThat(file.get(1).get("size").asLong()).isEqualTo(1000);
            assertThat(file.get(1).get("format").asText()).isEqualTo("CHK");
            assertThat(file.get(1).get("metadata").get("tahoe").fieldNames()).toIterable()
                    .containsExactly("linkcrtime", "linkmotime");

            JsonNode mutable = children.get("café ☕.txt");
            assertThat(mutable.get(1).fieldNames()).toIterable() // Tahoe does not know a mutable child's size
                    .containsExactly("mutable", "format", "metadata", "rw_uri", "ro_uri", "verify_uri");
            assertThat(mutable.get(1).get("rw_uri").asText()).isEqualTo(sdmf);
            assertThat(mutable.get(1).get("format").asText()).isEqualTo("SDMF");
            assertThat(mutable.get(1).get("ro_uri").asText()).startsWith("URI:SSK-RO:");

            JsonNode directory = children.get("sub");
            assertThat(directory.get(0).asText()).isEqualTo("dirnode");
            assertThat(directory.get(1).fieldNames()).toIterable()
                    .containsExactly("mutable", "metadata", "rw_uri", "ro_uri", "verify_uri");
            assertThat(directory.get(1).get("rw_uri").asText()).isEqualTo(sub);

            // A file on its own, as t=json on a file: the size is asked of the grid, the link's metadata last.
            JsonNode alone = new ObjectMapper().readTree(ok("ls", "--json", "work:café ☕.txt"));
            assertThat(alone.get(1).fieldNames()).toIterable()
                    .containsExactly("mutable", "format", "size", "ro_uri", "rw_uri", "verify_uri", "metadata");
            assertThat(alone.get(1).get("size").asLong()).isEqualTo(7);
        }

        @Test
        void getReadsThroughADirCapPathInBothOfTahoesSpellings() throws Exception {
            String dircap = ok("mkdir").strip();
            ok("put", localFile("f", "deep inside").toString(), dircap + "/sub/dir/f.txt");
            assertThat(read(dircap + "/sub/dir/f.txt")).isEqualTo("deep inside");
            assertThat(read(dircap + ":./sub/dir/f.txt")).isEqualTo("deep inside");
            Path copy = dir.resolve("copy.txt");
            ok("get", dircap + "/sub/dir/f.txt", copy.toString()); // tahoe get FROM TO
            assertThat(copy).hasContent("deep inside");
            Path other = dir.resolve("other.txt");
            ok("get", dircap + "/sub/dir/f.txt", "-o", other.toString());
            assertThat(other).hasContent("deep inside");
        }
    }

    @Nested
    class Links {
        @Test
        void lnLinksTheSameObjectUnderASecondName() throws Exception {
            ok("create-alias", "work");
            String cap = ok("put", localFile("f", "shared body").toString(), "work:a.txt").strip();
            assertThat(ok("ln", "work:a.txt", "work:b.txt")).isEqualTo("OK\n");
            assertThat(ok("ls", "work:").lines()).containsExactly("a.txt", "b.txt");
            assertThat(ok("ls", "--uri", "work:").lines()).allMatch(l -> l.endsWith(cap));
        }

        @Test
        void aTargetEndingInASlashIsADirectoryToLinkIntoUnderTheSameName() throws Exception {
            ok("create-alias", "work");
            ok("mkdir", "work:dir");
            ok("put", localFile("f", "body").toString(), "work:a.txt");
            ok("ln", "work:a.txt", "work:dir/");
            assertThat(ok("ls", "work:dir")).isEqualTo("a.txt\n");
            ok("mv", "work:a.txt", "work:other/"); // a missing directory is created, as Tahoe's PUT creates it
            assertThat(ok("ls", "work:other")).isEqualTo("a.txt\n");
            assertThat(ok("ls", "work:").lines()).containsExactly("dir", "other");
        }

        @Test
        void mvRenamesWithinADirectoryAndMovesBetweenDirectories() throws Exception {
            ok("create-alias", "work");
            ok("create-alias", "fun");
            ok("put", localFile("f", "moving").toString(), "work:a.txt");
            assertThat(ok("mv", "work:a.txt", "work:b.txt")).isEqualTo("OK\n");
            assertThat(ok("ls", "work:")).isEqualTo("b.txt\n");
            ok("mv", "work:b.txt", "fun:");
            assertThat(ok("ls", "work:")).isEmpty();
            assertThat(ok("ls", "fun:")).isEqualTo("b.txt\n");
            assertThat(read("fun:b.txt")).isEqualTo("moving");
        }

        @Test
        void mvReplacesAFileButNeverADirectory() throws Exception {
            ok("create-alias", "work");
            ok("put", localFile("a", "a").toString(), "work:a.txt");
            ok("put", localFile("b", "b").toString(), "work:b.txt");
            ok("mkdir", "work:dir");
            ok("mv", "work:a.txt", "work:b.txt");
            assertThat(read("work:b.txt")).isEqualTo("a");
            CapCommandTest.Result ontoDir = lafsfs("mv", "work:b.txt", "work:dir");
            assertThat(ontoDir.exitCode()).isEqualTo(1);
            assertThat(ontoDir.err()).contains("work:dir is a directory").contains("end the target with '/'");
            assertThat(ok("ls", "work:").lines()).containsExactly("b.txt", "dir"); // nothing moved
        }

        @Test
        void unlinkAndRmRemoveTheNameButNotTheFile() throws Exception {
            ok("create-alias", "work");
            String cap = ok("put", localFile("f", "still on the grid").toString(), "work:a.txt").strip();
            ok("ln", "work:a.txt", "work:b.txt");
            assertThat(ok("unlink", "work:a.txt")).isEqualTo("200 OK\n");
            assertThat(ok("rm", "work:b.txt")).isEqualTo("200 OK\n");
            assertThat(ok("ls", "work:")).isEmpty();
            assertThat(read(cap)).isEqualTo("still on the grid");
        }
    }

    @Nested
    class Errors {
        @Test
        void anUnknownAliasIsExitCodeTwoAndSaysHowToCreateIt() {
            CapCommandTest.Result r = lafsfs("ls", "nosuch:dir");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("lafsfs: unknown alias 'nosuch:'")
                    .contains("lafsfs create-alias nosuch");
            assertThat(r.err().lines()).hasSize(1);
            CapCommandTest.Result noDefault = lafsfs("put", "-", "file.txt");
            assertThat(noDefault.exitCode()).isEqualTo(2);
            assertThat(noDefault.err()).contains("default alias 'tahoe:' does not exist");
        }

        @Test
        void aMissingChildIsOneSentenceNamingWhereItWasLookedFor() {
            ok("create-alias", "work");
            ok("mkdir", "work:dir");
            CapCommandTest.Result get = lafsfs("get", "work:dir/missing.txt");
            assertThat(get.exitCode()).isEqualTo(1);
            assertThat(get.err().strip()).isEqualTo("lafsfs: no \"missing.txt\" in work:dir");
            CapCommandTest.Result ls = lafsfs("ls", "work:nothing/here");
            assertThat(ls.exitCode()).isEqualTo(2); // as tahoe ls, so scripts can test for existence
            assertThat(ls.err().strip()).isEqualTo("lafsfs: no \"nothing\" in work:");
            assertThat(lafsfs("rm", "work:missing").err().strip()).isEqualTo("lafsfs: no \"missing\" in work:");
            assertThat(lafsfs("mv", "work:missing", "work:b").exitCode()).isEqualTo(1);
        }

        @Test
        void aReadOnlyDirectoryCannotBeChangedThroughItsCap() throws Exception {
            String dircap = ok("mkdir").strip();
            ok("put", localFile("f", "body").toString(), dircap + "/f.txt");
            String readonly = CapCommandTest.run("cap", dircap).out().lines().filter(l -> l.startsWith("read cap:"))
                    .findFirst().orElseThrow().substring(15).strip();
            assertThat(read(readonly + "/f.txt")).isEqualTo("body"); // reading is fine
            for (String[] edit : new String[][] {
                {"put", localFile("g", "x").toString(), readonly + "/g.txt"},
                {"mkdir", readonly + "/sub"},
                {"ln", dircap + "/f.txt", readonly + "/g.txt"},
                {"mv", readonly + "/f.txt", dircap + "/g.txt"},
                {"rm", readonly + "/f.txt"}}) {
                CapCommandTest.Result r = lafsfs(edit);
                assertThat(r.exitCode()).as(String.join(" ", edit)).isEqualTo(1);
                assertThat(r.err().strip()).as(String.join(" ", edit))
                        .isEqualTo("lafsfs: " + readonly + " is read-only here (URI:DIR2-RO): it cannot be changed"
                                + " through this cap");
            }
            assertThat(ok("ls", dircap)).isEqualTo("f.txt\n"); // nothing changed, nothing half-moved
        }

        @Test
        void pathsThatCannotBeMeantAreRefusedBeforeTouchingTheGrid() {
            ok("create-alias", "work");
            assertThat(lafsfs("ls", "work:a//b").err()).contains("empty path component");
            CapCommandTest.Result slash = lafsfs("put", "-", "work:/a.txt");
            assertThat(slash.exitCode()).isEqualTo(2);
            assertThat(slash.err()).contains("must not start with a slash").contains("'work:a.txt'");
            assertThat(lafsfs("put", "-", "work:").err()).contains("names a directory");
            assertThat(lafsfs("get", "work:").err()).contains("is a directory");
            assertThat(lafsfs("unlink", "work:").exitCode()).isEqualTo(2);
            assertThat(lafsfs("mv", "work:", "work:x").exitCode()).isEqualTo(2);
        }
    }
}
