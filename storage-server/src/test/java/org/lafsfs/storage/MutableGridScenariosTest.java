package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.mutable.Mode;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.core.mutable.MutableKeys;
import org.lafsfs.core.mutable.Servermap;
import org.lafsfs.core.mutable.SignedPrefix;
import org.lafsfs.core.storage.ServerPermutation;
import org.lafsfs.core.storage.TestWriteVectors;

/**
 * The failures Tahoe-LAFS met on a production grid (tickets #546, #547, #549,
 * #550, and Francois's full disk), replayed on a simulated grid: a mutable
 * file's shares must stay findable and updatable as servers are inserted into
 * the permuted order, fill up, or hold a share in an unexpected place.
 */
class MutableGridScenariosTest {
    @TempDir
    Path dir;
    SimulatedGrid grid;

    @AfterEach
    void stop() {
        if (grid != null) {
            grid.close();
        }
    }

    static Cap child(int i) {
        return new LiteralCap(("child " + i).getBytes());
    }

    /** Every share of the file, on every server, is of one version, and all N of them are there. */
    static void assertOnlyVersion(MutableFileNode node, long seqnum) {
        Servermap map = node.servermap(Mode.CHECK);
        assertThat(map.versions()).as("versions on the grid: %s", map).hasSize(1);
        SignedPrefix version = map.versions().keySet().iterator().next();
        assertThat(version.seqnum()).isEqualTo(seqnum);
        assertThat(map.shareNumbers(version)).hasSize(version.n());
        assertThat(map.problems()).isEmpty();
    }

    @Test
    void ticket546FortySevenServersInsertedIntoSixtyFour() throws Exception {
        grid = new SimulatedGrid(dir, 64);
        Grid before = grid.client();
        List<Dirnode> dirs = new ArrayList<>();
        List<MutableFileNode> files = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Dirnode d = Dirnode.create(before, i % 2 == 0 ? MutableFormat.SDMF : MutableFormat.MDMF);
            d.link("first", child(i), null, false);
            dirs.add(d);
            files.add(MutableFileNode.create(before, MutableFormat.MDMF, MutableFileTest.random(300_000, i)));
        }

        grid.addServers(47);
        Grid after = grid.client();
        assertThat(after.servers()).hasSize(111);
        for (int i = 0; i < dirs.size(); i++) {
            Dirnode d = Dirnode.open(after, dirs.get(i).cap());
            d.link("second", child(100 + i), null, false);
            d.unlink("first");
            assertThat(d.list().keySet()).containsExactly("second");
            MutableFileNode node = new MutableFileNode(after, dirs.get(i).cap().fileCap());
            assertOnlyVersion(node, 4);

            MutableFileNode file = new MutableFileNode(after, files.get(i).writeCap());
            byte[] updated = MutableFileTest.random(300_000, 1000 + i);
            file.overwrite(updated);
            file.write(10, new byte[] {1, 2, 3});
            updated[10] = 1;
            updated[11] = 2;
            updated[12] = 3;
            assertThat(file.read()).isEqualTo(updated);
            assertThat(file.uncoordinatedWriteRetries()).isZero();
            assertOnlyVersion(file, 3);
        }
    }

    @Test
    void ticket549AnInsertedGapIsNotTakenForTheEnd() throws Exception {
        grid = new SimulatedGrid(dir, 10);
        MutableFileNode file = MutableFileNode.create(grid.client(), MutableFormat.SDMF, "v1".getBytes());
        Map<Integer, String> holders = holders(file);
        grid.addServers(40); // many new, empty servers now sit between the old holders
        MutableFileNode later = new MutableFileNode(grid.client(), file.writeCap());
        Servermap map = later.servermap(Mode.WRITE);
        assertThat(map.shareNumbers(map.newestRecoverable().orElseThrow())).hasSize(10);
        later.overwrite("v2".getBytes());
        assertThat(holders(later)).isEqualTo(holders); // updated where they were, none left behind
        assertOnlyVersion(later, 2);
        assertThat(later.uncoordinatedWriteRetries()).isZero();
    }

    @Test
    void ticket547ARunOfEmptyServersInTheMiddleIsNotTheBoundary() throws Exception {
        grid = new SimulatedGrid(dir, 20);
        Grid client = grid.client();
        // Choose a key, then create the file while permuted servers 1..3 are down: the shares land on
        // servers 0, 4, 5, ... and, once those three are back, the holders read 1 0 0 0 1 1 1...
        MutableFileNode file = MutableFileNode.create(client, MutableFormat.SDMF, "probe".getBytes());
        List<GridServer> order = ServerPermutation.order(file.keys().storageIndex(), client.servers(),
                GridServer::permutationSeed);
        Set<SimulatedGrid.Server> gap = new HashSet<>();
        for (int rank = 1; rank <= 3; rank++) {
            SimulatedGrid.Server s = (SimulatedGrid.Server) order.get(rank).storage();
            gap.add(s);
        }
        // Move the file's shares off the gap: overwrite while the gap is down, then delete the stale ones.
        gap.forEach(SimulatedGrid.Server::goDown);
        file.overwrite("v2".getBytes());
        gap.forEach(SimulatedGrid.Server::comeBack);
        MutableKeys keys = file.keys();
        for (SimulatedGrid.Server s : gap) {
            for (int shnum : s.mutableShares(keys.storageIndex())) {
                s.backend().readTestWrite(keys.storageIndex(), keys.writeEnabler(s.gridServer().nodeId()),
                        grid.client().secrets().leaseFor(keys.storageIndex(), s.gridServer()),
                        Map.of(shnum, new TestWriteVectors(List.of(), List.of(), 0L)), List.of());
            }
        }
        assertThat(pattern(file, order)).startsWith("1000");

        MutableFileNode writer = new MutableFileNode(grid.client(), file.writeCap());
        writer.overwrite("v3".getBytes());
        assertOnlyVersion(writer, 3);
        assertThat(writer.uncoordinatedWriteRetries()).isZero();
        assertThat(new String(writer.read())).isEqualTo("v3");
    }

    @Test
    void francoisOneServersDiskFillsDuringPublish() throws Exception {
        grid = new SimulatedGrid(dir, 12);
        MutableFileNode file = MutableFileNode.create(grid.client(), MutableFormat.MDMF, "small".getBytes());
        Map<Integer, String> holders = holders(file);
        SimulatedGrid.Server full = grid.servers().stream().filter(s -> s.name().equals(holders.get(0)))
                .findFirst().orElseThrow();
        full.fill();
        byte[] bigger = MutableFileTest.random(500_000, 9); // every share grows: the full server refuses
        file.overwrite(bigger);
        assertThat(file.read()).isEqualTo(bigger);
        Servermap map = file.servermap(Mode.CHECK);
        SignedPrefix newest = map.newestRecoverable().orElseThrow();
        assertThat(map.shareNumbers(newest)).hasSize(10); // share 0 went elsewhere
        assertThat(map.versions().get(newest)).noneMatch(l -> l.server().name().equals(full.name()));

        byte[] again = MutableFileTest.random(600_000, 10); // and the next publish copes with the stale share
        MutableFileNode other = new MutableFileNode(grid.client(), file.writeCap());
        other.overwrite(again);
        assertThat(new MutableFileNode(grid.client(), file.readCap()).read()).isEqualTo(again);
        assertThat(file.uncoordinatedWriteRetries() + other.uncoordinatedWriteRetries()).isZero();
    }

    @Test
    void ticket550ARetriedRemoveOfAnEntryAlreadyGoneSucceeds() throws Exception {
        grid = new SimulatedGrid(dir, 10);
        Grid client = grid.client();
        Dirnode d = Dirnode.create(client, MutableFormat.SDMF);
        d.link("doomed", child(1), null, false);
        d.link("kept", child(2), null, false);
        MutableKeys keys = MutableFileNode.class.cast(new MutableFileNode(client, d.cap().fileCap())).keys();
        StorageIndex si = keys.storageIndex();
        // Another writer touches one share just as our remove reaches it: our publish meets a checkstring it
        // did not expect (UCWE) after the other shares already took the removal.
        SimulatedGrid.Server victim = grid.servers().stream().filter(s -> s.mutableShares(si).contains(0))
                .findFirst().orElseThrow();
        victim.beforeNextMutableWrite(() -> victim.backend().readTestWrite(si,
                keys.writeEnabler(victim.gridServer().nodeId()), client.secrets().leaseFor(si, victim.gridServer()),
                Map.of(0, new TestWriteVectors(List.of(), List.of(new TestWriteVectors.Write(1, new byte[8])),
                        null)), List.of()));
        assertThat(d.unlink("doomed")).isNotNull();
        assertThat(d.list().keySet()).containsExactly("kept");
    }

    @Test
    void fourClientsEditOneDirectoryAtOnceAndNothingIsLost() throws Exception {
        grid = new SimulatedGrid(dir, 10);
        Dirnode shared = Dirnode.create(grid.client(), MutableFormat.SDMF);
        int clients = 4;
        int perClient = Integer.getInteger("lafsfs.test.concurrentEntries", 500);
        Map<String, Boolean> expected = new java.util.concurrent.ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        int[] retries = new int[clients];
        for (int c = 0; c < clients; c++) {
            int id = c;
            threads.add(new Thread(() -> {
                Dirnode mine = Dirnode.open(grid.client(), shared.cap());
                try {
                    for (int i = 0; i < perClient; i++) {
                        String name = "c" + id + "-" + i;
                        mine.link(name, child(i), null, false);
                        expected.put(name, true);
                        if (i % 3 == 2) { // remove an earlier one of our own
                            String gone = "c" + id + "-" + (i - 1);
                            mine.unlink(gone);
                            expected.remove(gone);
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
        assertThat(shared.list().keySet()).containsExactlyInAnyOrderElementsOf(new TreeMap<>(expected).keySet());
    }

    @Test
    void aRollbackByAFewOldSharesIsNotBelieved() throws Exception {
        grid = new SimulatedGrid(dir, 10);
        MutableFileNode file = MutableFileNode.create(grid.client(), MutableFormat.SDMF, "old".getBytes());
        StorageIndex si = file.keys().storageIndex();
        List<GridServer> order = ServerPermutation.order(si, grid.client().servers(), GridServer::permutationSeed);
        Map<Path, byte[]> saved = new java.util.HashMap<>();
        for (GridServer s : order.subList(0, 3)) { // the first servers any reader asks
            Path bucket = ((SimulatedGrid.Server) s.storage()).backend().storageDir().resolve("shares")
                    .resolve(si.prefix()).resolve(si.toString());
            try (var files = java.nio.file.Files.list(bucket)) {
                for (Path share : files.toList()) {
                    saved.put(share, java.nio.file.Files.readAllBytes(share));
                }
            }
        }
        file.overwrite("new".getBytes());
        for (Map.Entry<Path, byte[]> e : saved.entrySet()) {
            java.nio.file.Files.write(e.getKey(), e.getValue()); // those servers roll back to the old version
        }
        assertThat(new String(new MutableFileNode(grid.client(), file.readCap()).read())).isEqualTo("new");
    }

    /** Which server holds each share number (the lowest-ranked one if several do). */
    static Map<Integer, String> holders(MutableFileNode node) {
        Servermap map = node.servermap(Mode.CHECK);
        Map<Integer, String> holders = new TreeMap<>();
        map.versions().values().forEach(locations -> locations.forEach(
                l -> holders.putIfAbsent(l.share().shnum(), l.server().name())));
        return holders;
    }

    /** The permuted order as a string of 1 (holds a share) and 0 (holds none). */
    static String pattern(MutableFileNode node, List<GridServer> order) {
        StringBuilder b = new StringBuilder();
        for (GridServer s : order) {
            b.append(((SimulatedGrid.Server) s.storage()).mutableShares(node.keys().storageIndex()).isEmpty()
                    ? '0' : '1');
        }
        return b.toString();
    }
}
