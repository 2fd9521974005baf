package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.check.CheckAndRepairResults;
import org.lafsfs.core.check.CheckOptions;
import org.lafsfs.core.check.CheckResults;
import org.lafsfs.core.check.Checker;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.mutable.Mode;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.core.mutable.MutableShareLayout;
import org.lafsfs.core.mutable.Servermap;
import org.lafsfs.core.mutable.SignedPrefix;

/**
 * Check, verify and repair of mutable files and directories on a simulated
 * grid: missing, corrupt and stale shares make a file unhealthy, and a repair
 * republishes its newest version so that all N shares are at one version.
 */
class MutableCheckerTest extends OnSimulatedGrid {
    static final CheckOptions CHECK = ImmutableCheckerTest.CHECK;
    static final CheckOptions VERIFY = ImmutableCheckerTest.VERIFY;
    static final CheckOptions REPAIR = ImmutableCheckerTest.REPAIR;
    static final CheckOptions VERIFY_AND_REPAIR = ImmutableCheckerTest.VERIFY_AND_REPAIR;

    @ParameterizedTest
    @EnumSource(MutableFormat.class)
    void aFreshFileIsHealthyWithItsSharesNamedByVersion(MutableFormat format) throws Exception {
        MutableFileNode node = MutableFileNode.create(client, format, random(200_000, 1));

        CheckResults r = check(node.writeCap(), VERIFY).preRepair();

        assertThat(r.healthy()).as("%s", r.report()).isTrue();
        assertThat(r.summary()).isEqualTo("Healthy");
        assertThat(List.of(r.sharesGood(), r.sharesNeeded(), r.sharesExpected(), r.happiness(), r.goodShareHosts(),
                r.recoverableVersions(), r.unrecoverableVersions(), r.wrongShares()))
                .containsExactly(10, 3, 10, 10, 10, 1, 0, 0);
        assertThat(r.sharemap().keySet()).hasSize(10).allMatch(id -> id.matches("seq1-[a-z2-7]{4}-sh\\d"));
        assertThat(check(node.readCap(), CHECK).preRepair().healthy()).as("through the read cap too").isTrue();
    }

    @Test
    void deletedSharesAreRepublishedAtTheNextVersionWithTheSameContents() throws Exception {
        byte[] contents = random(50_000, 2);
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.MDMF, contents);
        StorageIndex si = node.keys().storageIndex();
        for (int shnum : List.of(0, 4)) {
            Files.delete(ImmutableCheckerTest.sharePath(holderOf(si, shnum), si, shnum));
        }

        CheckResults before = check(node.writeCap(), CHECK).preRepair();
        assertThat(before.healthy()).isFalse();
        assertThat(before.recoverable()).isTrue();
        assertThat(before.sharesGood()).isEqualTo(8);
        assertThat(before.summary()).isEqualTo("Unhealthy: 8 shares (enc 3-of-10)");

        CheckAndRepairResults repaired = check(node.writeCap(), REPAIR);

        assertThat(repaired.repairSuccessful()).as("%s", repaired.repairProblems()).isTrue();
        assertThat(repaired.postRepair().sharesGood()).isEqualTo(10);
        assertThat(repaired.postRepair().happiness()).isEqualTo(10);
        assertOnlyVersion(node, 2);
        assertThat(new MutableFileNode(client, node.readCap()).read()).isEqualTo(contents);
    }

    @ParameterizedTest
    @EnumSource(MutableFormat.class)
    void aCorruptShareIsFoundByVerifyReportedToItsServerAndOverwrittenByRepair(MutableFormat format)
            throws Exception {
        MutableFileNode node = MutableFileNode.create(client, format, random(200_000, 3));
        StorageIndex si = node.keys().storageIndex();
        SimulatedGrid.Server holder = holderOf(si, 6);
        MutableShareLayout layout = MutableShareLayout.parse(holder.backend().readMutable(si, 6, 0,
                MutableShareLayout.MAPUPDATE_READ_LENGTH));
        int segment = layout.prefix().segmentCount() - 1; // SDMF has one segment, MDMF here two
        holder.corrupt(si, 6, layout.blockOffset(segment) + 7);

        CheckResults verified = check(node.writeCap(), VERIFY).preRepair();

        assertThat(verified.healthy()).isFalse();
        assertThat(verified.sharesGood()).isEqualTo(9);
        assertThat(verified.corruptShares()).singleElement().satisfies(c -> {
            assertThat(c.server().name()).isEqualTo(holder.name());
            assertThat(c.shnum()).isEqualTo(6);
            assertThat(c.problem()).contains("block " + segment);
        });
        assertThat(verified.summary()).contains("corrupt shares").contains(holder.name() + "-sh6");

        CheckAndRepairResults repaired = check(node.writeCap(), VERIFY_AND_REPAIR);

        assertThat(repaired.repairSuccessful()).as("%s", repaired.repairProblems()).isTrue();
        assertThat(repaired.postRepair().corruptShares()).as("the corrupt share was overwritten").isEmpty();
        assertThat(holder.mutableShares(si)).contains(6);
        assertOnlyVersion(node, 2);
        assertThat(advisedServers()).containsExactly(holder.name());
    }

    @Test
    void ticket546AStaleShareOnAServerThatCameBackIsSupersededByTheRepair() throws Exception {
        byte[] v2 = random(20_000, 5);
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.SDMF, random(20_000, 4));
        StorageIndex si = node.keys().storageIndex();
        SimulatedGrid.Server away = holderOf(si, 3);
        away.goDown();
        node.overwrite(v2); // share 3 of seq2 goes to another server; seq1's stays on the one away
        away.comeBack();
        grid.addServers(20); // and the grid grows: the old holders are spread among new, empty servers
        client = grid.client();

        CheckResults before = check(node.writeCap(), CHECK).preRepair();
        assertThat(before.healthy()).isFalse();
        assertThat(before.recoverable()).isTrue();
        assertThat(before.recoverableVersions()).isEqualTo(1);
        assertThat(before.unrecoverableVersions()).isEqualTo(1);
        assertThat(before.wrongShares()).isEqualTo(1);
        assertThat(before.sharesGood()).isEqualTo(10);
        assertThat(before.summary()).contains("some versions are unrecoverable");
        assertThat(before.sharemap()).containsKey(before.sharemap().keySet().stream()
                .filter(id -> id.startsWith("seq1-")).findFirst().orElseThrow());

        CheckAndRepairResults repaired = check(node.writeCap(), REPAIR);

        assertThat(repaired.repairSuccessful()).as("%s", repaired.repairProblems()).isTrue();
        assertOnlyVersion(node, 3);
        assertThat(away.mutableShares(si)).as("the stale share now holds the newest version").containsExactly(3);
        assertThat(new MutableFileNode(client, node.readCap()).read()).isEqualTo(v2);
        assertThat(check(node.writeCap(), VERIFY).preRepair().healthy()).isTrue();
    }

    @Test
    void aCorruptCopyOfAShareHeldTwiceIsOverwrittenThoughTheFileCountsAsHealthy() throws Exception {
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.SDMF, random(20_000, 8));
        StorageIndex si = node.keys().storageIndex();
        SimulatedGrid.Server away = holderOf(si, 3);
        away.goDown();
        node.overwrite(random(20_000, 9));
        away.comeBack();
        assertThat(check(node.writeCap(), REPAIR).repairSuccessful()).isTrue(); // now sh3 is on two servers
        MutableShareLayout layout = MutableShareLayout.parse(away.backend().readMutable(si, 3, 0,
                MutableShareLayout.MAPUPDATE_READ_LENGTH));
        away.corrupt(si, 3, layout.blockOffset(0) + 1);

        CheckAndRepairResults r = check(node.writeCap(), VERIFY_AND_REPAIR);

        assertThat(r.preRepair().healthy()).as("all N share numbers have a good copy").isTrue();
        assertThat(r.preRepair().corruptShares()).singleElement().satisfies(c -> assertThat(c.server().name())
                .isEqualTo(away.name()));
        assertThat(r.repairAttempted()).isTrue();
        assertThat(r.repairSuccessful()).as("%s", r.repairProblems()).isTrue();
        assertThat(r.postRepair().corruptShares()).isEmpty();
        assertOnlyVersion(node, 4);
    }

    @Test
    void anUnrecoverableFileIsReportedAndItsRepairFailsWithoutHarm() throws Exception {
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.SDMF, random(1_000, 6));
        StorageIndex si = node.keys().storageIndex();
        for (int shnum = 0; shnum < 8; shnum++) {
            Files.delete(ImmutableCheckerTest.sharePath(holderOf(si, shnum), si, shnum));
        }

        CheckAndRepairResults r = check(node.writeCap(), VERIFY_AND_REPAIR);

        assertThat(r.preRepair().recoverable()).isFalse();
        assertThat(r.preRepair().healthy()).isFalse();
        assertThat(r.preRepair().unrecoverableVersions()).isEqualTo(1);
        assertThat(r.preRepair().summary()).contains("no versions are recoverable");
        assertThat(r.repairAttempted()).isTrue();
        assertThat(r.repairSuccessful()).isFalse();
        assertThat(r.repairProblems()).singleElement().asString().contains("nothing to republish");
    }

    @Test
    void aReadCapChecksButCannotRepair() throws Exception {
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.SDMF, random(1_000, 7));
        StorageIndex si = node.keys().storageIndex();
        Files.delete(ImmutableCheckerTest.sharePath(holderOf(si, 9), si, 9));

        CheckAndRepairResults r = check(node.readCap(), REPAIR);

        assertThat(r.preRepair().sharesGood()).isEqualTo(9);
        assertThat(r.repairSuccessful()).isFalse();
        assertThat(r.repairProblems()).singleElement().asString().contains("write cap");
    }

    @Test
    void aDirectoryIsCheckedAndRepairedAsTheMutableFileHoldingItsEntries() throws Exception {
        Dirnode dir = Dirnode.create(client, MutableFormat.SDMF);
        dir.link("a", new LiteralCap("hello".getBytes()), null, false);
        StorageIndex si = dir.cap().storageIndex().orElseThrow();
        Files.delete(ImmutableCheckerTest.sharePath(holderOf(si, 2), si, 2));

        CheckAndRepairResults r = check(dir.cap(), VERIFY_AND_REPAIR);

        assertThat(r.preRepair().cap()).isEqualTo(dir.cap());
        assertThat(r.preRepair().sharesGood()).isEqualTo(9);
        assertThat(r.repairSuccessful()).as("%s", r.repairProblems()).isTrue();
        assertThat(Dirnode.open(client, dir.cap()).list().keySet()).containsExactly("a");
    }

    // ---- helpers ----

    CheckAndRepairResults check(Cap cap, CheckOptions options) {
        return new Checker(client).check(cap, options);
    }

    static byte[] random(int size, long seed) {
        return ImmutableCheckerTest.random(size, seed);
    }

    SimulatedGrid.Server holderOf(StorageIndex si, int shnum) {
        return grid.servers().stream().filter(s -> s.mutableShares(si).contains(shnum)).findFirst().orElseThrow();
    }

    /** Every share on the grid is of one version, {@code seqnum}, and all N are there. */
    void assertOnlyVersion(MutableFileNode node, long seqnum) {
        Servermap map = new MutableFileNode(client, node.writeCap()).servermap(Mode.CHECK);
        assertThat(map.versions()).as("versions on the grid: %s", map).hasSize(1);
        SignedPrefix version = map.versions().keySet().iterator().next();
        assertThat(version.seqnum()).isEqualTo(seqnum);
        assertThat(map.shareNumbers(version)).hasSize(version.n());
        assertThat(map.problems()).isEmpty();
    }

    List<String> advisedServers() throws Exception {
        return ImmutableCheckerTest.advisedServers(grid);
    }
}
