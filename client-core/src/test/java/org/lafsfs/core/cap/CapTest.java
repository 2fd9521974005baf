package org.lafsfs.core.cap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.Interop;

class CapTest {

    @Test
    void everyCapTahoeWroteParsesAndPrintsBackUnchanged() {
        List<String> caps = interopCaps();
        assertThat(caps).hasSizeGreaterThan(40);
        for (String text : caps) {
            Cap cap = CapParser.parseUncached(text);
            assertThat(cap).as(text).isNotInstanceOf(UnknownCap.class);
            assertThat(cap.uri()).isEqualTo(text);
            assertThat(CapParser.parseUncached(cap.uri())).isEqualTo(cap);
        }
    }

    @Test
    void weakerCapsDeriveFromStrongerOnesAsTahoeDerivedThem() {
        for (JsonNode object : Interop.objects()) {
            String name = object.get("name").asText();
            String writecap = text(object, "writecap");
            String readcap = text(object, "readcap");
            String verifycap = text(object, "verifycap");
            String storageIndex = text(object, "storage_index");
            if (writecap != null) {
                Cap write = Cap.parse(writecap);
                assertThat(write.isReadOnly()).as(name).isFalse();
                assertThat(write.readOnly().orElseThrow().uri()).as(name).isEqualTo(readcap);
            }
            Cap read = Cap.parse(readcap);
            assertThat(read.isReadOnly()).as(name).isTrue();
            assertThat(read.readOnly()).contains(read);
            assertThat(read.verifyCap().map(Cap::uri).orElse(null)).as(name).isEqualTo(verifycap);
            assertThat(read.storageIndex().map(StorageIndex::toString).orElse(null)).as(name).isEqualTo(storageIndex);
            if (verifycap != null) {
                Cap verify = Cap.parse(verifycap);
                assertThat(verify.isVerifier()).isTrue();
                assertThat(verify.verifyCap()).contains(verify);
                assertThat(verify.storageIndex()).isEqualTo(read.storageIndex());
            }
        }
    }

    @Test
    void kindsAndPropertiesFollowUriRst() {
        JsonNode sdmf = Interop.object("mut-sdmf-1000");
        Cap ssk = Cap.parse(sdmf.get("writecap").asText());
        assertThat(ssk).isInstanceOf(MutableWriteCap.class);
        assertThat(((MutableWriteCap) ssk).format()).isEqualTo(MutableFormat.SDMF);
        assertThat(ssk.isMutable()).isTrue();
        assertThat(ssk.verifyCap().orElseThrow().isMutable()).isFalse();

        Cap dirMdmf = Cap.parse(Interop.object("dir-mdmf").get("writecap").asText());
        assertThat(dirMdmf.kind()).isEqualTo("DIR2-MDMF");
        assertThat(dirMdmf.readOnly().orElseThrow().kind()).isEqualTo("DIR2-MDMF-RO");
        assertThat(dirMdmf.verifyCap().orElseThrow().kind()).isEqualTo("DIR2-MDMF-Verifier");
        assertThat(((DirectoryCap) dirMdmf).fileCap().kind()).isEqualTo("MDMF");

        Cap dirChk = Cap.parse(Interop.object("dir-chk").get("readcap").asText());
        assertThat(dirChk.isMutable()).isFalse();
        assertThat(dirChk.verifyCap().orElseThrow().kind()).isEqualTo("DIR2-CHK-Verifier");

        Cap litDir = Cap.parse("URI:DIR2-LIT:");
        assertThat(litDir.verifyCap()).isEmpty();
        assertThat(litDir.storageIndex()).isEmpty();

        ChkCap chk = (ChkCap) Cap.parse(Interop.object("imm-1048593").get("readcap").asText());
        assertThat(chk.neededShares()).isEqualTo(3);
        assertThat(chk.totalShares()).isEqualTo(10);
        assertThat(chk.size()).isEqualTo(1048593);
    }

    @Test
    void aCapParsedAgainIsTheSameValueAndAMalformedOneFailsEveryTime() {
        String text = Interop.object("mut-sdmf-1000").get("writecap").asText();
        Cap first = Cap.parse(text);
        assertThat(Cap.parse(new String(text.toCharArray()))).isSameAs(first).isEqualTo(first);
        assertThat(first.uri()).isSameAs(first.uri()).isEqualTo(text);
        String malformed = text.substring(0, text.length() - 3);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> Cap.parse(malformed)).isInstanceOf(MalformedCapException.class);
            // the prefix is part of the text: a remembered write cap is still refused as read-only
            assertThatThrownBy(() -> Cap.parse("ro." + text)).isInstanceOf(MalformedCapException.class);
        }
        String unknown = "URI:FUTURE-KIND:" + "x".repeat(300);
        assertThat(Cap.parse(unknown)).isNotSameAs(Cap.parse(unknown)).isEqualTo(Cap.parse(unknown));
    }

    @Test
    void literalCapsCarryTheirContents() {
        for (JsonNode object : Interop.objects("immutable-file")) {
            Cap cap = Cap.parse(object.get("readcap").asText());
            if (cap instanceof LiteralCap lit) {
                assertThat(lit.data()).isEqualTo(Interop.plaintext(object));
                assertThat(lit.verifyCap()).isEmpty();
            }
        }
    }

    @Test
    void mdmfCapsMayCarryExtensionFieldsWhichAreDropped() {
        String cap = Interop.object("mut-mdmf-300000").get("writecap").asText();
        assertThat(Cap.parse(cap + ":3:131073").uri()).isEqualTo(cap);
        String dircap = Interop.object("dir-mdmf").get("readcap").asText();
        assertThat(Cap.parse(dircap + ":3:131073").uri()).isEqualTo(dircap);
    }

    @Test
    void malformedCapsAreRejectedSayingWhatIsWrong() {
        String chk = Interop.object("imm-0001000").get("readcap").asText();
        assertThatThrownBy(() -> Cap.parse(chk.replace(":3:10:", ":3:")))
                .isInstanceOf(MalformedCapException.class).hasMessageContaining("key:UEB-hash:k:N:size");
        assertThatThrownBy(() -> Cap.parse(chk.substring(0, 10) + chk.substring(11)))
                .hasMessageContaining("key must be 26 base32 characters");
        assertThatThrownBy(() -> Cap.parse(chk.replace("URI:CHK:", "URI:CHK:1").substring(0, chk.length())))
                .isInstanceOf(MalformedCapException.class);
        assertThatThrownBy(() -> Cap.parse(chk.replace(":3:10:", ":11:10:")))
                .hasMessageContaining("k=11 N=10");
        assertThatThrownBy(() -> Cap.parse(chk.replace(":3:10:", ":3:257:")))
                .hasMessageContaining("N must be between 1 and 256");
        assertThatThrownBy(() -> Cap.parse(chk.replace(":1000", ":-1")))
                .hasMessageContaining("size '-1' is not a decimal number");
        assertThatThrownBy(() -> Cap.parse(chk.toUpperCase().replace("URI:CHK:", "URI:CHK:")))
                .hasMessageContaining("base32");
        assertThatThrownBy(() -> Cap.parse("URI:SSK:abc:def")).hasMessageContaining("URI:SSK")
                .hasMessageContaining("writekey");
        assertThatThrownBy(() -> Cap.parse("URI:LIT:mz")).hasMessageContaining("non-zero bits");
        assertThatThrownBy(() -> Cap.parse("URI:DIR2:")).hasMessageContaining("URI:DIR2");
        assertThatThrownBy(() -> Cap.parse(null)).isInstanceOf(MalformedCapException.class);
    }

    @Test
    void unknownKindsAreKeptVerbatim() {
        for (String text : List.of("URI:NEWCAP:abc:def", "x-tahoe-crazy://foo", "", "URI:DIR2-FUTURE:xyz",
                "URI:DIR2-SSK:" + "a".repeat(26) + ":" + "a".repeat(52))) {
            Cap cap = Cap.parse(text);
            assertThat(cap).as(text).isInstanceOf(UnknownCap.class);
            assertThat(cap.uri()).isEqualTo(text);
            assertThat(cap.readOnly()).isEmpty();
            assertThat(cap.storageIndex()).isEmpty();
        }
    }

    @Test
    void readOnlyAndImmutablePrefixesAreCheckedAgainstTheCap() {
        JsonNode dir = Interop.object("dir-sdmf");
        String rw = dir.get("writecap").asText();
        String ro = dir.get("readcap").asText();
        assertThat(Cap.parse("ro." + ro).uri()).isEqualTo(ro);
        assertThatThrownBy(() -> Cap.parse("ro." + rw)).hasMessageContaining("write cap");
        assertThatThrownBy(() -> Cap.parse("imm." + ro)).hasMessageContaining("mutable");
        String chk = Interop.object("imm-0001000").get("readcap").asText();
        assertThat(Cap.parse("imm." + chk).uri()).isEqualTo(chk);
        assertThat(Cap.parse("ro.URI:FUTURE:x").uri()).isEqualTo("ro.URI:FUTURE:x");
    }

    @Test
    void storageIndexesRoundTripThroughBase32() {
        for (JsonNode object : Interop.objects()) {
            String si = text(object, "storage_index");
            if (si != null) {
                StorageIndex parsed = StorageIndex.parse(si);
                assertThat(parsed.toString()).isEqualTo(si);
                assertThat(parsed.prefix()).isEqualTo(si.substring(0, 2));
            }
        }
        assertThatThrownBy(() -> StorageIndex.parse("short")).hasMessageContaining("not a storage index");
    }

    /** Every cap in the manifest and in the directory listings Tahoe produced. */
    private static List<String> interopCaps() {
        List<String> caps = new ArrayList<>();
        for (JsonNode object : Interop.objects()) {
            for (String field : List.of("writecap", "readcap", "verifycap")) {
                String value = text(object, field);
                if (value != null) {
                    caps.add(value);
                }
            }
            String listing = text(object, "t_json_file");
            if (listing != null) {
                Interop.json(listing).get(1).get("children").forEach(child -> {
                    for (String field : List.of("rw_uri", "ro_uri", "verify_uri")) {
                        if (child.get(1).has(field)) {
                            caps.add(child.get(1).get(field).asText());
                        }
                    }
                });
            }
        }
        for (JsonNode child : Interop.manifest().get("child_storage_indexes")) {
            caps.add(child.get("cap").asText());
        }
        return caps;
    }

    private static String text(JsonNode object, String field) {
        JsonNode value = object.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
