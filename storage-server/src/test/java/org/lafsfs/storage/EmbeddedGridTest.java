package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.storage.ServerAnnouncement;

/** The embedded grid: its servers keep their identities across runs, and collect garbage only when asked. */
class EmbeddedGridTest {
    @TempDir
    Path dir;

    @Test
    void serversKeepTheirIdentitiesAcrossRunsAndTakeFreePorts() throws Exception {
        List<String> ids;
        try (EmbeddedGrid grid = EmbeddedGrid.start(dir, 3, 0, ExpirationPolicy.DISABLED)) {
            ids = grid.servers().stream().map(HttpStorageServer::serverId).toList();
            assertThat(grid.servers()).allMatch(s -> s.port() > 0);
            assertThat(grid.announcements()).extracting(e -> ServerAnnouncement.fromAnnouncement(e.getKey(),
                    e.getValue()).nickname()).containsExactly("embedded-00", "embedded-01", "embedded-02");
            assertThat(grid.crawlers()).isEmpty();
        }
        try (EmbeddedGrid again = EmbeddedGrid.start(dir, 3, 0, ExpirationPolicy.DISABLED)) {
            assertThat(again.servers().stream().map(HttpStorageServer::serverId).toList()).isEqualTo(ids);
        }
    }

    @Test
    void withExpirationEnabledEachServerHasItsLeaseCrawler() throws Exception {
        ExpirationPolicy policy = ExpirationPolicy.fromConfig(Map.of("expire.enabled", "true", "expire.mode", "age",
                "expire.override_lease_duration", "60 days"));
        try (EmbeddedGrid grid = EmbeddedGrid.start(dir, 2, 0, policy)) {
            assertThat(grid.crawlers()).hasSize(2).allMatch(c -> c.policy().equals(policy));
        }
    }
}
