package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.check.CheckOptions;
import org.lafsfs.core.check.Checker;
import org.lafsfs.core.grid.ClientSecrets;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.ChkUploader;
import org.lafsfs.core.immutable.EncodingParameters;
import org.lafsfs.core.immutable.UploadSource;
import org.lafsfs.core.mutable.MutableFileNode;

/**
 * check --add-lease renews, on every server holding a share, the very lease
 * the upload created (same secrets, so no second lease appears), moving its
 * expiry to a month from the renewal; a client with another lease secret adds
 * a lease of its own. The servers' clock is moved by hand.
 */
class LeaseRenewalTest {
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    static final long MONTH = 31L * 24 * 60 * 60;
    static final CheckOptions ADD_LEASE = new CheckOptions(false, false, true);

    @TempDir
    Path dir;
    final TestClock clock = new TestClock(START);
    final ExecutorService executor = Executors.newFixedThreadPool(4);
    final List<StorageBackend> backends = new ArrayList<>();
    Grid client;

    @BeforeEach
    void grid() throws IOException {
        List<GridServer> servers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            byte[] nodeId = String.format("lease-test-server-%02d", i).getBytes(StandardCharsets.US_ASCII);
            StorageBackend backend = new StorageBackend(dir.resolve("server" + i), nodeId, 0, clock);
            backends.add(backend);
            servers.add(new GridServer(new LocalStorageServer(backend, executor, "server" + i), nodeId, nodeId));
        }
        client = withLeaseSecret(servers, 1);
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void addLeaseRenewsTheUploadsLeaseOnEveryImmutableShare() throws Exception {
        Cap cap = new ChkUploader(client.servers(), client.params(), new byte[32], client.secrets())
                .upload(UploadSource.of(new byte[10_000])).cap();
        StorageIndex si = cap.storageIndex().orElseThrow();
        assertThat(expiries(si, false)).hasSize(10).containsOnly(START.getEpochSecond() + MONTH);

        clock.advance(Duration.ofDays(10));
        new Checker(client).check(cap, CheckOptions.CHECK);
        assertThat(expiries(si, false)).as("a plain check leaves leases alone")
                .containsOnly(START.getEpochSecond() + MONTH);

        new Checker(client).check(cap, ADD_LEASE);
        assertThat(expiries(si, false)).as("one lease per share, renewed from now").hasSize(10)
                .containsOnly(clock.instant().getEpochSecond() + MONTH);

        new Checker(withLeaseSecret(client.servers(), 2)).check(cap, ADD_LEASE);
        assertThat(expiries(si, false)).as("another client's lease is its own").hasSize(20);
    }

    @Test
    void addLeaseRenewsEveryMutableShareAndDirectory() throws Exception {
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.MDMF, new byte[5_000]);
        StorageIndex si = node.keys().storageIndex();
        assertThat(expiries(si, true)).hasSize(10).containsOnly(START.getEpochSecond() + MONTH);

        clock.advance(Duration.ofDays(20));
        new Checker(client).check(node.readCap(), ADD_LEASE);

        assertThat(expiries(si, true)).hasSize(10).containsOnly(clock.instant().getEpochSecond() + MONTH);
    }

    private Grid withLeaseSecret(List<GridServer> servers, int seed) {
        byte[] secret = new byte[32];
        secret[0] = (byte) seed;
        return new Grid(servers, new ClientSecrets(secret), EncodingParameters.DEFAULT, new SecureRandom());
    }

    /** The expiry time of every lease on every share of {@code si}, as the containers on disk hold them. */
    private List<Long> expiries(StorageIndex si, boolean mutable) throws IOException {
        List<Long> expiries = new ArrayList<>();
        for (StorageBackend backend : backends) {
            Path shares = backend.storageDir().resolve("shares").resolve(si.prefix()).resolve(si.toString());
            if (!Files.isDirectory(shares)) {
                continue;
            }
            try (Stream<Path> files = Files.list(shares)) {
                for (Path share : files.toList()) {
                    List<Lease> leases = mutable ? MutableShareFile.open(share).leases()
                            : ImmutableShareFile.open(share).leases();
                    leases.forEach(l -> expiries.add(l.expirationTime()));
                }
            }
        }
        return expiries;
    }
}
