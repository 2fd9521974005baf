package org.lafsfs.core.dirnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.MutableWriteCap;
import org.lafsfs.core.codec.Netstring;

/** The packed form of a directory, child by child, as Tahoe's dirnode.py reads and writes it. */
class DirnodeContentsTest {
    static final byte[] WRITEKEY = WritecapEncryptionTest.WRITEKEY;
    static final String SUBDIR_WRITECAP = WritecapEncryptionTest.SUBDIR_WRITECAP;
    static final String SUBDIR_READCAP =
            "URI:DIR2-RO:3goz25xc2ubbqz4og4aw4adhu4:szkkp2paaczefoawn6icrl3swybtleblxloiyxmchguoi23o5hea";
    static final String CAFE_READCAP =
            "URI:CHK:xiik4rsjhqylmszznmpsr3o4vu:cwcjcpulytrwbnogwegtpc6dcrf5lmgl7mlztrczbclvqapn4uaa:3:10:100";
    static final String SDMF_READCAP =
            "URI:SSK-RO:wxemeo5hgyf5lvu74dxewgqdii:nn4e4u4k32fpb7dzwdltoc3qat2cb642uziy2bvnd27sgtahyyya";
    static final String MDMF_WRITECAP =
            "URI:MDMF:kqocn2tbu4whxvrlul6jvklgqi:runcfefo3hdpx55npkumsktgkbkzoj7467kpn4hhmwok3jdolmoq";

    /**
     * A mutable directory of two children, packed independently (Python, from
     * the facts of dirnodes.rst and dirnode.py) under writekey 00..0f:
     * "café ☕.txt" (a CHK read cap; metadata with a user key, 1e-05 and 2e+23
     * as link times) and "subdir" (a DIR2 write cap and its read cap).
     */
    static final String MUTABLE_DIRECTORY = """
            3234383a31333a636166c3a920e298952e7478742c39363a5552493a43484b3a7869696b3472736a6871796c6d737a7a\
            6e6d707372336f3476753a6377636a6370756c79747277626e6f677765677470633664637266356c6d676c376d6c7a74\
            72637a62636c767161706e347561613a333a31303a3130302c34383ad05f738a043b8404b7495ccb5d5501866971af5b\
            c2acc121f3a8c3c9e4c67eaa2cf628b320d73bc02284aa976c0018c72c37353a7b226d696d65223a2022746578742f70\
            6c61696e222c20227461686f65223a207b226c696e6b637274696d65223a2031652d30352c20226c696e6b6d6f74696d\
            65223a2032652b32337d7d2c2c3332313a363a7375626469722c39313a5552493a444952322d524f3a33676f7a323578\
            6332756262717a346f673461773461646875343a737a6b6b7032706161637a65666f61776e366963726c337377796274\
            6c65626c786c6f6979786d636867756f6932336f356865612c3133363a1a4ac373506aec651c25274452d5045604ff9c\
            9a972b09c1c273fe25822c00009b8aee369011ae7ee9bfa60ba9315a633ff89f8bd152c30f448e6564b5bdbfc6d4447a\
            f5270d2e5c0ea8d28cb4146aa062537badc99cfb4c332d1d4e2d5e1108f8b440275a328ded1ed335781d1df7a56bf233\
            87aff3959063ee69aabf3f61b3ca551a38df3b5f4e2c37323a7b227461686f65223a207b226c696e6b637274696d6522\
            3a20313730303030303030302e3132333435362c20226c696e6b6d6f74696d65223a20313730303030303030312e357d\
            7d2c2c""";

    // ---- mutable directories ----

    @Test
    void aMutableDirectoryPacksToTheIndependentlyComputedBytes() {
        List<DirectoryEntry> children = List.of(
                new DirectoryEntry("subdir", SUBDIR_WRITECAP, null,
                        json("{\"tahoe\": {\"linkcrtime\": 1700000000.123456, \"linkmotime\": 1700000001.5}}")),
                new DirectoryEntry("café ☕.txt", null, CAFE_READCAP,
                        json("{\"mime\": \"text/plain\", \"tahoe\": {\"linkcrtime\": 1e-05, \"linkmotime\": 2e+23}}")));

        assertThat(hex(DirnodeContents.pack(children, WRITEKEY, false))).isEqualTo(MUTABLE_DIRECTORY);
    }

    @Test
    void throughItsWriteCapAMutableDirectoryShowsChildWriteCaps() {
        SortedMap<String, DirectoryEntry> children = DirnodeContents.unpack(unhex(MUTABLE_DIRECTORY), WRITEKEY, false);

        assertThat(children.keySet()).containsExactly("café ☕.txt", "subdir");
        assertThat(children.get("subdir").writeCap()).isEqualTo(SUBDIR_WRITECAP);
        assertThat(children.get("subdir").readCap()).isEqualTo(SUBDIR_READCAP);
        assertThat(children.get("café ☕.txt").writeCap()).isNull();
        assertThat(children.get("café ☕.txt").readCap()).isEqualTo(CAFE_READCAP);
        assertThat(MetadataJson.dumps(children.get("café ☕.txt").metadata()))
                .isEqualTo("{\"mime\": \"text/plain\", \"tahoe\": {\"linkcrtime\": 1e-05, \"linkmotime\": 2e+23}}");
    }

    @Test
    void throughItsReadCapAMutableDirectoryShowsOnlyReadCaps() {
        SortedMap<String, DirectoryEntry> children = DirnodeContents.unpack(unhex(MUTABLE_DIRECTORY), null, false);

        assertThat(children.get("subdir").writeCap()).isNull();
        assertThat(children.get("subdir").readCap()).isEqualTo(SUBDIR_READCAP);
        assertThat(children.get("café ☕.txt").readCap()).isEqualTo(CAFE_READCAP);
    }

    @Test
    void anUnchangedMutableDirectoryRepacksToTheSameBytes() {
        byte[] packed = unhex(MUTABLE_DIRECTORY);

        assertThat(DirnodeContents.pack(DirnodeContents.unpack(packed, WRITEKEY, false).values(), WRITEKEY, false))
                .isEqualTo(packed);
    }

    @Test
    void withAWritekeyEveryChildHasAnEncryptedWriteCapFieldEvenWithoutAWriteCap() {
        DirectoryEntry readOnlyChild = new DirectoryEntry("f", null, CAFE_READCAP, null);

        assertThat(fields(DirnodeContents.pack(List.of(readOnlyChild), WRITEKEY, false)).get(0).get(2)).hasSize(48);
        assertThat(fields(DirnodeContents.pack(List.of(readOnlyChild), null, false)).get(0).get(2)).isEmpty();
    }

    @Test
    void aWrongWritekeyIsCaughtByTheMac() {
        byte[] otherWritekey = new byte[16];

        assertThatThrownBy(() -> DirnodeContents.unpack(unhex(MUTABLE_DIRECTORY), otherWritekey, false))
                .isInstanceOf(CorruptDirnodeException.class)
                .hasMessageContaining("child 'café ☕.txt'").hasMessageContaining("MAC");
    }

    @Test
    void aDirectoryCapSaysWhichKeyAndWhichRules() {
        DirectoryCap writeCap = new DirectoryCap(new MutableWriteCap(MutableFormat.SDMF, WRITEKEY, new byte[32]));
        DirectoryCap readCap = (DirectoryCap) writeCap.readOnly().orElseThrow();
        byte[] packed = unhex(MUTABLE_DIRECTORY);

        assertThat(DirnodeContents.unpack(packed, writeCap).get("subdir").writeCap()).isEqualTo(SUBDIR_WRITECAP);
        assertThat(DirnodeContents.unpack(packed, readCap).get("subdir").writeCap()).isNull();
        assertThat(DirnodeContents.pack(DirnodeContents.unpack(packed, writeCap).values(), writeCap)).isEqualTo(packed);
        assertThatThrownBy(() -> DirnodeContents.pack(List.of(), readCap))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot write");
    }

    // ---- names and order ----

    @Test
    void childrenArePackedInCodePointOrderAsPythonSortsNames() {
        // UTF-16 order would put the emoji (a surrogate pair, 0xD83D...) before U+FFFD.
        List<DirectoryEntry> children = List.of(entry("\uD83D\uDE00"), entry("\uFFFD"), entry("b"), entry("B"), entry("a"));

        assertThat(names(DirnodeContents.pack(children, null, true)))
                .containsExactly("B", "a", "b", "\uFFFD", "\uD83D\uDE00");
        assertThat(DirnodeContents.unpack(DirnodeContents.pack(children, null, true), null, true).keySet())
                .containsExactly("B", "a", "b", "\uFFFD", "\uD83D\uDE00");
    }

    @Test
    void namesAreStoredInNfc() {
        String decomposed = Normalizer.normalize("café", Normalizer.Form.NFD);

        byte[] packed = DirnodeContents.pack(List.of(entry(decomposed)), null, true);

        assertThat(names(packed)).containsExactly("caf\u00e9");
    }

    @Test
    void namesReadFromADirectoryAreNormalizedToNfcToo() {
        String decomposed = Normalizer.normalize("café", Normalizer.Form.NFD);
        byte[] packed = packRaw(decomposed, "URI:LIT:", "", "{}");

        assertThat(DirnodeContents.unpack(packed, null, true)).containsOnlyKeys("caf\u00e9");
    }

    @Test
    void twoChildrenCannotShareANameEvenIfSpelledDifferently() {
        String decomposed = Normalizer.normalize("café", Normalizer.Form.NFD);

        assertThatThrownBy(() -> DirnodeContents.pack(List.of(entry("café"), entry(decomposed)), null, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("café");
    }

    // ---- immutable directories ----

    @Test
    void anImmutableDirectoryRefusesWriteCaps() {
        DirectoryEntry child = new DirectoryEntry("subdir", SUBDIR_WRITECAP, SUBDIR_READCAP, null);

        assertThatThrownBy(() -> DirnodeContents.pack(List.of(child), null, true))
                .isInstanceOf(MustBeDeepImmutableException.class).hasMessageContaining("subdir");
    }

    @Test
    void anImmutableDirectoryRefusesReadCapsToMutableThings() {
        assertThatThrownBy(() -> DirnodeContents.pack(List.of(new DirectoryEntry("s", null, SDMF_READCAP, null)), null, true))
                .isInstanceOf(MustBeDeepImmutableException.class).hasMessageContaining("'s'");
        assertThatThrownBy(() -> DirnodeContents.pack(List.of(new DirectoryEntry("d", null, SUBDIR_READCAP, null)), null, true))
                .isInstanceOf(MustBeDeepImmutableException.class);
    }

    @Test
    void anImmutableDirectoryHasNoWritekey() {
        assertThatThrownBy(() -> DirnodeContents.pack(List.of(), WRITEKEY, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("immutable");
    }

    @Test
    void readingAnImmutableDirectoryLeavesOutMutableChildrenAsTahoeDoes() {
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        packed.writeBytes(packRaw("file", CAFE_READCAP, "", "{}"));
        packed.writeBytes(packRaw("sneaky", SDMF_READCAP, "", "{}"));

        assertThat(DirnodeContents.unpack(packed.toByteArray(), null, true)).containsOnlyKeys("file");
    }

    @Test
    void anEncryptedWriteCapInsideAnImmutableDirectoryMeansCorruption() {
        byte[] packed = packRaw("file", CAFE_READCAP, "x".repeat(48), "{}");

        assertThatThrownBy(() -> DirnodeContents.unpack(packed, null, true))
                .isInstanceOf(CorruptDirnodeException.class).hasMessageContaining("immutable");
    }

    // ---- caps of unknown kinds ----

    @Test
    void unknownCapsInAMutableDirectoryAreKeptByteForByte() {
        DirectoryEntry future = new DirectoryEntry("future", "x-future-cap:rw:ABC", "x-future-cap:ro:ABC", json("{}"));

        byte[] packed = DirnodeContents.pack(List.of(future), WRITEKEY, false);
        DirectoryEntry read = DirnodeContents.unpack(packed, WRITEKEY, false).get("future");

        assertThat(new String(fields(packed).get(0).get(1), StandardCharsets.UTF_8)).isEqualTo("x-future-cap:ro:ABC");
        assertThat(read.writeCap()).isEqualTo("x-future-cap:rw:ABC");
        // The directory vouches for the read cap only as read-only: Tahoe says so with "ro.".
        assertThat(read.readCap()).isEqualTo("ro.x-future-cap:ro:ABC");
        assertThat(DirnodeContents.pack(List.of(read), WRITEKEY, false)).isEqualTo(packed);
        assertThat(DirnodeContents.unpack(packed, null, false).get("future").writeCap()).isNull();
    }

    @Test
    void unknownCapsInAnImmutableDirectoryAreVouchedForAsImmutable() {
        byte[] packed = packRaw("future", "URI:FUTURE-IMM:xyz", "", "{}");

        DirectoryEntry read = DirnodeContents.unpack(packed, null, true).get("future");

        assertThat(read.readCap()).isEqualTo("imm.URI:FUTURE-IMM:xyz");
        assertThat(DirnodeContents.pack(List.of(read), null, true)).isEqualTo(packed);
    }

    @Test
    void anImmPrefixSaysMoreThanAMutableDirectoryDoesSoItIsKept() {
        DirectoryEntry child = new DirectoryEntry("f", null, "imm.URI:FUTURE:xyz", null);

        byte[] packed = DirnodeContents.pack(List.of(child), WRITEKEY, false);

        assertThat(new String(fields(packed).get(0).get(1), StandardCharsets.UTF_8)).isEqualTo("imm.URI:FUTURE:xyz");
        assertThat(DirnodeContents.unpack(packed, WRITEKEY, false).get("f").readCap()).isEqualTo("imm.URI:FUTURE:xyz");
    }

    @Test
    void anUnknownCapAloneCannotBeLinkedSinceNothingSaysWhatItGrants() {
        DirectoryEntry child = DirectoryEntry.of("f", Cap.parse("URI:FUTURE:xyz"), null);

        assertThat(child.writeCap()).isEqualTo("URI:FUTURE:xyz");
        assertThatThrownBy(() -> DirnodeContents.pack(List.of(child), WRITEKEY, false))
                .isInstanceOf(CapConstraintException.class).hasMessageContaining("'f'");
    }

    @Test
    void aKnownCapIsReportedInItsCanonicalForm() {
        byte[] packed = packRaw("f", "imm." + CAFE_READCAP + "  ", "", "{}");

        assertThat(DirnodeContents.unpack(packed, null, false).get("f").readCap()).isEqualTo(CAFE_READCAP);
    }

    // ---- entries ----

    @Test
    void anEntryForAWriteCapCarriesItsReadCapToo() {
        DirectoryEntry child = DirectoryEntry.of("d", Cap.parse(MDMF_WRITECAP), null);

        assertThat(child.writeCap()).isEqualTo(MDMF_WRITECAP);
        assertThat(child.readCap()).startsWith("URI:MDMF-RO:");
        assertThat(child.metadata()).isEmpty();
    }

    @Test
    void metadataKeysThisVersionDoesNotKnowSurvive() {
        byte[] packed = packRaw("f", CAFE_READCAP, "", "{\"zz\": {\"nested\": [1, 2.5]}, \"tahoe\": {\"linkcrtime\": 1.0}}");

        assertThat(DirnodeContents.pack(DirnodeContents.unpack(packed, null, true).values(), null, true)).isEqualTo(packed);
    }

    @Test
    void anythingAfterTheFourthFieldOfAChildIsIgnoredAsTahoeIgnoresIt() {
        byte[] entry = concat(Netstring.encode(bytes("f")), Netstring.encode(bytes(CAFE_READCAP)),
                Netstring.encode(new byte[0]), Netstring.encode(bytes("{}")), Netstring.encode(bytes("future field")));

        assertThat(DirnodeContents.unpack(Netstring.encode(entry), null, true).get("f").readCap()).isEqualTo(CAFE_READCAP);
    }

    @Test
    void brokenContentsAreReportedAsCorrupt() {
        byte[] packed = unhex(MUTABLE_DIRECTORY);

        assertThatThrownBy(() -> DirnodeContents.unpack(Arrays.copyOf(packed, packed.length - 1), WRITEKEY, false))
                .isInstanceOf(CorruptDirnodeException.class).hasMessageContaining("offset 253");
        assertThatThrownBy(() -> DirnodeContents.unpack(packRaw("f", CAFE_READCAP, "", "[]"), null, true))
                .isInstanceOf(CorruptDirnodeException.class).hasMessageContaining("object");
        assertThatThrownBy(() -> DirnodeContents.unpack(Netstring.encode(Netstring.encode(bytes("f"))), null, true))
                .isInstanceOf(CorruptDirnodeException.class);
        byte[] badName = Netstring.encode(concat(Netstring.encode(new byte[] {(byte) 0xff}), Netstring.encode(new byte[0]),
                Netstring.encode(new byte[0]), Netstring.encode(bytes("{}"))));
        assertThatThrownBy(() -> DirnodeContents.unpack(badName, null, true))
                .isInstanceOf(CorruptDirnodeException.class).hasMessageContaining("UTF-8");
    }

    // ---- helpers ----

    private static DirectoryEntry entry(String name) {
        return new DirectoryEntry(name, null, "URI:LIT:", null);
    }

    /** One child exactly as given, bypassing the packer. */
    private static byte[] packRaw(String name, String readCap, String rwcapdata, String metadata) {
        return Netstring.encode(concat(Netstring.encode(bytes(name)), Netstring.encode(bytes(readCap)),
                Netstring.encode(bytes(rwcapdata)), Netstring.encode(bytes(metadata))));
    }

    /** The four fields of every child, in stored order. */
    private static List<List<byte[]>> fields(byte[] packed) {
        List<List<byte[]>> children = new ArrayList<>();
        Netstring.Reader reader = new Netstring.Reader(packed);
        while (reader.hasMore()) {
            children.add(new Netstring.Reader(reader.next()).next(4));
        }
        return children;
    }

    private static List<String> names(byte[] packed) {
        return fields(packed).stream().map(f -> new String(f.get(0), StandardCharsets.UTF_8)).toList();
    }

    private static ObjectNode json(String text) {
        return MetadataJson.parse(bytes(text));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static byte[] unhex(String s) {
        return HexFormat.of().parseHex(s);
    }
}
