package org.lafsfs.core.dirnode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lafsfs.core.Interop;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.LiteralCap;

/**
 * Immutable directories written by a real Tahoe-LAFS 1.20 grid: their contents
 * unpack to what Tahoe itself lists, and pack back to Tahoe's bytes exactly.
 */
class DirnodeInteropTest {

    @ParameterizedTest
    @ValueSource(strings = {"dir-lit-empty", "dir-lit-one-child", "dir-chk"})
    void unpacksToWhatTahoeLists(String name) throws Exception {
        SortedMap<String, DirectoryEntry> children = DirnodeContents.unpack(TahoeDirectories.contents(name),
                TahoeDirectories.cap(name));

        JsonNode listing = TahoeDirectories.listing(name);
        List<String> listed = new ArrayList<>();
        listing.fieldNames().forEachRemaining(listed::add);
        assertThat(children.keySet()).containsExactlyInAnyOrderElementsOf(listed);
        for (DirectoryEntry child : children.values()) {
            JsonNode tahoe = listing.get(child.name()).get(1);
            assertThat(child.readCap()).as(child.name()).isEqualTo(tahoe.get("ro_uri").asText());
            assertThat(child.writeCap()).as(child.name()).isNull();
            assertThat(tahoe.has("rw_uri")).isFalse();
            assertThat(child.metadata()).as(child.name()).isEqualTo(tahoe.get("metadata"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dir-lit-empty", "dir-lit-one-child", "dir-chk"})
    void packsBackToTahoesBytesExactly(String name) throws Exception {
        byte[] tahoe = TahoeDirectories.contents(name);
        DirectoryCap cap = TahoeDirectories.cap(name);

        byte[] repacked = DirnodeContents.pack(DirnodeContents.unpack(tahoe, cap).values(), cap);

        assertThat(new String(repacked, StandardCharsets.UTF_8)).isEqualTo(new String(tahoe, StandardCharsets.UTF_8));
        assertThat(repacked).isEqualTo(tahoe);
    }

    @Test
    void childrenComeInTahoesOrder() throws Exception {
        SortedMap<String, DirectoryEntry> children = DirnodeContents.unpack(TahoeDirectories.contents("dir-chk"),
                TahoeDirectories.cap("dir-chk"));

        List<String> manifestOrder = new ArrayList<>();
        Interop.object("dir-chk").get("children_names").forEach(n -> manifestOrder.add(n.asText()));
        assertThat(children.keySet()).containsExactlyElementsOf(manifestOrder)
                .contains("café ☕ nested-lit-dir");
    }

    @Test
    void anEmptyDirectoryIsNoBytesAtAll() throws Exception {
        assertThat(TahoeDirectories.contents("dir-lit-empty")).isEmpty();
        assertThat(DirnodeContents.pack(List.of(), null, true)).isEmpty();
    }

    @Test
    void theOneChildLiteralDirectoryIsTheSpecExample() throws Exception {
        // One child 'a' -> URI:LIT: (an empty file), metadata {}, no write cap slot.
        assertThat(new String(TahoeDirectories.contents("dir-lit-one-child"), StandardCharsets.UTF_8))
                .isEqualTo("23:1:a,8:URI:LIT:,0:,2:{},,");
    }

    @Test
    void tahoesLinkTimesAreFloatsAndSurviveAsSuch() throws Exception {
        byte[] contents = TahoeDirectories.contents("dir-chk");
        DirectoryEntry big = DirnodeContents.unpack(contents, TahoeDirectories.cap("dir-chk")).get("big.bin");

        assertThat(big.metadata().get("tahoe").get("linkcrtime").isDouble()).isTrue();
        assertThat(new String(contents, StandardCharsets.UTF_8))
                .contains("{\"tahoe\": {\"linkcrtime\": 1.0, \"linkmotime\": 2.0}}");
    }

    @Test
    void aNestedImmutableDirectoryIsAChildLikeAnyOther() throws Exception {
        DirectoryEntry nested = DirnodeContents.unpack(TahoeDirectories.contents("dir-chk"), TahoeDirectories.cap("dir-chk"))
                .get("café ☕ nested-lit-dir");
        DirectoryCap nestedCap = (DirectoryCap) nested.cap().orElseThrow();

        assertThat(nestedCap.uri()).isEqualTo(TahoeDirectories.cap("dir-lit-one-child").uri());
        assertThat(DirnodeContents.unpack(((LiteralCap) nestedCap.fileCap()).data(), nestedCap))
                .containsOnlyKeys("a");
    }
}
