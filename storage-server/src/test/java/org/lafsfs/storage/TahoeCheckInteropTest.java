package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.lafsfs.core.Interop;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.check.CheckAndRepairResults;
import org.lafsfs.core.check.CheckResults;
import org.lafsfs.core.check.Checker;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.grid.ClientSecrets;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.EncodingParameters;

/**
 * What a Tahoe-LAFS 1.20 grid wrote (testdata/tahoe-1.20) verifies as
 * healthy, and a repair of a Tahoe-written immutable file regenerates the
 * shares Tahoe wrote, byte for byte: a Tahoe client reading the repaired file
 * cannot tell the difference.
 */
class TahoeCheckInteropTest {
    @TempDir
    Path dir;
    ExecutorService executor = Executors.newFixedThreadPool(8);
    Grid client;

    @BeforeEach
    void copyTheGrid() {
        List<GridServer> servers = new ArrayList<>();
        for (JsonNode server : Interop.servers()) {
            String nickname = server.get("nickname").asText();
            byte[] nodeId = Base32.decode(server.get("foolscap_tubid").asText());
            byte[] seed = Base32.decode(server.get("permutation_seed_base32").asText());
            try {
                StorageBackend backend = new StorageBackend(Interop.copyStorage(nickname, dir.resolve(nickname)),
                        nodeId, 0, Clock.systemUTC());
                servers.add(new GridServer(new LocalStorageServer(backend, executor, nickname), nodeId, seed));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        byte[] leaseSecret = new byte[32];
        new SecureRandom().nextBytes(leaseSecret);
        client = new Grid(servers, new ClientSecrets(leaseSecret), EncodingParameters.DEFAULT);
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @ParameterizedTest
    @MethodSource("org.lafsfs.core.Interop#chkFileNames")
    void everyTahoeFileVerifiesHealthyThroughItsVerifyCap(String name) {
        Cap verifyCap = Cap.parse(Interop.object(name).get("verifycap").asText());

        CheckResults r = new Checker(client).check(verifyCap, ImmutableCheckerTest.VERIFY).preRepair();

        assertThat(r.healthy()).as("%s: %s", name, r.report()).isTrue();
        assertThat(r.sharesGood()).isEqualTo(10);
        assertThat(r.corruptShares()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mut-sdmf-1000", "mut-mdmf-300000", "dir-sdmf", "dir-mdmf"})
    void tahoesMutableFilesAndDirectoriesVerifyHealthy(String name) {
        Cap cap = Cap.parse(Interop.object(name).get("readcap").asText());

        CheckResults r = new Checker(client).check(cap, ImmutableCheckerTest.VERIFY).preRepair();

        assertThat(r.healthy()).as("%s: %s", name, r.report()).isTrue();
        assertThat(r.sharesGood()).isEqualTo(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"imm-1048593", "imm128kseg-1048593"})
    void repairingATahoeFileRegeneratesTheSharesTahoeWrote(String name) throws Exception {
        JsonNode object = Interop.object(name);
        Cap cap = Cap.parse(object.get("readcap").asText());
        StorageIndex si = cap.storageIndex().orElseThrow();
        for (int shnum : List.of(1, 8)) {
            Files.delete(dir.resolve(Interop.holder(object, shnum)).resolve("shares").resolve(si.prefix())
                    .resolve(si.toString()).resolve(Integer.toString(shnum)));
        }

        CheckAndRepairResults r = new Checker(client).check(cap, ImmutableCheckerTest.REPAIR);

        assertThat(r.preRepair().sharesGood()).isEqualTo(8);
        assertThat(r.repairSuccessful()).as("%s", r.repairProblems()).isTrue();
        for (int shnum : List.of(1, 8)) {
            byte[] tahoes = Interop.immutableShareData(Interop.shareFile(object, Interop.holder(object, shnum), shnum));
            GridServer holder = client.servers().stream()
                    .filter(s -> s.storage().listImmutableShares(si).join().contains(shnum)).findFirst().orElseThrow();
            assertThat(holder.storage().readImmutable(si, shnum, 0, tahoes.length + 1).join())
                    .as("%s share %d", name, shnum).isEqualTo(tahoes);
        }
    }
}
