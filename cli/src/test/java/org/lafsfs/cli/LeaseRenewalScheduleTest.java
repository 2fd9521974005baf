package org.lafsfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.cap.CapParser;
import org.lafsfs.core.cap.DirectoryCap;

/** lafsfs up's lease renewal: everything below the roots, at most once per interval, remembered across runs. */
class LeaseRenewalScheduleTest {
    @TempDir
    Path dir;

    @Test
    void renewsEveryObjectBelowTheRootsAndWaitsOutTheIntervalAfterARestart() throws Exception {
        try (TestGrid grid = TestGrid.start(dir.resolve("storage"))) {
            Path node = grid.node(dir.resolve("node"));
            CapCommandTest.Result mkdir = CapCommandTest.run("--node-dir", node.toString(), "mkdir");
            DirectoryCap root = (DirectoryCap) CapParser.parse(mkdir.out().strip());
            for (String name : List.of("a.bin", "sub/b.bin")) {
                Path file = dir.resolve(name.replace('/', '-'));
                Files.writeString(file, ("contents of " + name + " ").repeat(100)); // different: two objects
                assertThat(CapCommandTest.run("--node-dir", node.toString(), "put", file.toString(),
                        root.uri() + "/" + name).exitCode()).isZero();
            }
            Path state = node.resolve("private/lease-renewal.json");
            try (GridSession session = GridSession.open(NodeDirectory.open(node))) {
                LeaseRenewal renewal = new LeaseRenewal(session.grid(), List.of(root), state, Duration.ofDays(7),
                        Clock.systemUTC());
                JsonNode record = renewal.renew();
                assertThat(record.path("objects").asInt()).as("root, sub, a.bin, b.bin").isEqualTo(4);
                assertThat(record.path("problems")).isEmpty();
                Instant renewedAt = Instant.parse(renewal.lastRecord().path("last_renewal").asText());

                // A restart within the interval does not renew again at once ...
                LeaseRenewal restarted = new LeaseRenewal(session.grid(), List.of(root), state,
                        Duration.ofDays(7), Clock.systemUTC());
                restarted.start();
                Thread.sleep(500);
                restarted.close();
                assertThat(Instant.parse(restarted.lastRecord().path("last_renewal").asText())).isEqualTo(renewedAt);

                // ... but one after it does.
                Clock eightDaysLater = Clock.fixed(renewedAt.plus(Duration.ofDays(8)), ZoneOffset.UTC);
                LeaseRenewal late = new LeaseRenewal(session.grid(), List.of(root), state, Duration.ofDays(7),
                        eightDaysLater);
                late.start();
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (Instant.parse(late.lastRecord().path("last_renewal").asText()).equals(renewedAt)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                late.close();
                assertThat(late.lastRecord().path("last_renewal").asText())
                        .isEqualTo(renewedAt.plus(Duration.ofDays(8)).toString());
            }
        }
    }
}
