package org.lafsfs.core.dirnode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Tahoe's link times (dirnode.py update_metadata), checked through the JSON Tahoe would store. */
class LinkMetadataTest {

    @Test
    void aNewLinkIsCreatedAndModifiedNow() {
        ObjectNode metadata = LinkMetadata.update(null, null, 1700000000.25);

        assertThat(MetadataJson.dumps(metadata))
                .isEqualTo("{\"tahoe\": {\"linkcrtime\": 1700000000.25, \"linkmotime\": 1700000000.25}}");
    }

    @Test
    void relinkingKeepsTheCreationTimeAndUserKeys() {
        ObjectNode existing = json("{\"mime\": \"text/plain\", \"tahoe\": {\"linkcrtime\": 1.0, \"linkmotime\": 2.0}}");

        ObjectNode metadata = LinkMetadata.update(existing, null, 3.5);

        assertThat(MetadataJson.dumps(metadata))
                .isEqualTo("{\"mime\": \"text/plain\", \"tahoe\": {\"linkcrtime\": 1.0, \"linkmotime\": 3.5}}");
        assertThat(existing.get("tahoe").get("linkmotime").asDouble()).as("the argument is not changed").isEqualTo(2.0);
    }

    @Test
    void userMetadataReplacesEverythingButTheTahoeKeyWhichMovesToTheEnd() {
        ObjectNode existing = json("{\"tahoe\": {\"linkcrtime\": 1.0, \"linkmotime\": 2.0}, \"old\": true}");
        ObjectNode given = json("{\"tahoe\": {\"linkcrtime\": 99.0}, \"new\": 1}");

        ObjectNode metadata = LinkMetadata.update(existing, given, 3.0);

        assertThat(MetadataJson.dumps(metadata))
                .isEqualTo("{\"new\": 1, \"tahoe\": {\"linkcrtime\": 1.0, \"linkmotime\": 3.0}}");
    }

    @Test
    void aPre14CtimeBecomesTheLinkCreationTime() {
        ObjectNode metadata = LinkMetadata.update(json("{\"ctime\": 1234.5, \"mtime\": 1300.0}"), null, 2000.0);

        assertThat(MetadataJson.dumps(metadata)).isEqualTo(
                "{\"ctime\": 1234.5, \"mtime\": 1300.0, \"tahoe\": {\"linkcrtime\": 1234.5, \"linkmotime\": 2000.0}}");
    }

    @Test
    void nowIsSecondsSinceTheEpochToTheMicrosecond() {
        double now = LinkMetadata.now();

        assertThat(now).isBetween(System.currentTimeMillis() / 1000.0 - 5, System.currentTimeMillis() / 1000.0 + 5);
        assertThat(MetadataJson.floatRepr(now).replaceFirst(".*\\.", "").length()).isLessThanOrEqualTo(6);
    }

    private static ObjectNode json(String text) {
        return MetadataJson.parse(text.getBytes(StandardCharsets.UTF_8));
    }
}
