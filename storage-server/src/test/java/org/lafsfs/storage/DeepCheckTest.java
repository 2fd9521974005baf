package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.check.CheckOptions;
import org.lafsfs.core.check.DeepCheck;
import org.lafsfs.core.check.Manifest;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.immutable.ChkUploader;
import org.lafsfs.core.immutable.UploadSource;

/**
 * Walking a directory tree for deep-check and manifest: every object once,
 * loops end, and a directory that cannot be read is reported while the rest
 * of the tree is still checked.
 */
class DeepCheckTest extends OnSimulatedGrid {
    @Test
    void aDirectoryLinkedInsideItselfIsVisitedOnce() throws Exception {
        Dirnode root = Dirnode.create(client, MutableFormat.SDMF);
        Dirnode sub = root.createSubdirectory("sub", MutableFormat.MDMF);
        sub.link("up", root.cap(), null, false);
        sub.link("self", sub.cap(), null, false);
        Cap file = upload(1);
        root.link("file", file, null, false);
        sub.link("same-file", file, null, false);

        List<Manifest.Entry> entries = new Manifest(client).of(root.cap()).entries();

        assertThat(entries).extracting(e -> String.join("/", e.path())).containsExactly("", "file", "sub");
        assertThat(entries.get(1).verifyCap()).isEqualTo(file.verifyCap().orElseThrow());
        DeepCheck.Results r = new DeepCheck(client).check(root.cap(), CheckOptions.CHECK);
        assertThat(r.objectsChecked()).isEqualTo(3);
        assertThat(r.objectsHealthy()).isEqualTo(3);
        assertThat(r.errors()).isEmpty();
    }

    @Test
    void anUnreadableDirectoryIsReportedAndTheRestIsStillChecked() throws Exception {
        Dirnode root = Dirnode.create(client, MutableFormat.SDMF);
        Dirnode lost = root.createSubdirectory("lost", MutableFormat.SDMF);
        lost.link("inside", upload(2), null, false);
        root.link("kept", upload(3), null, false);
        root.link("tiny", new LiteralCap("tiny".getBytes()), null, false);
        StorageIndex si = lost.cap().storageIndex().orElseThrow();
        for (SimulatedGrid.Server s : grid.servers()) {
            for (int shnum : s.mutableShares(si)) {
                Files.delete(ImmutableCheckerTest.sharePath(s, si, shnum));
            }
        }

        DeepCheck.Results r = new DeepCheck(client).check(root.cap(), new CheckOptions(true, true, false));

        assertThat(r.objects()).extracting(c -> String.join("/", c.path())).containsExactly("", "kept", "lost", "tiny");
        assertThat(r.objectsChecked()).as("the LIT file is not counted").isEqualTo(3);
        assertThat(r.objectsUnrecoverable()).isEqualTo(1);
        assertThat(r.objectsHealthy()).isEqualTo(2);
        assertThat(r.repairsAttempted()).isEqualTo(1);
        assertThat(r.repairsSuccessful()).isZero();
        assertThat(r.errors()).singleElement().asString().startsWith("lost: cannot be listed");
    }

    private Cap upload(long seed) throws Exception {
        return new ChkUploader(client.servers(), client.params(), new byte[32], client.secrets())
                .upload(UploadSource.of(ImmutableCheckerTest.random(5_000, seed))).cap();
    }
}
