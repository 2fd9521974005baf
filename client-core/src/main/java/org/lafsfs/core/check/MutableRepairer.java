package org.lafsfs.core.check;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.immutable.LayoutInvalidException;
import org.lafsfs.core.mutable.MutableEncoder;
import org.lafsfs.core.mutable.MutableFileException;
import org.lafsfs.core.mutable.MutableKeys;
import org.lafsfs.core.mutable.MutableShareLayout;
import org.lafsfs.core.mutable.Publish;
import org.lafsfs.core.mutable.Retrieve;
import org.lafsfs.core.mutable.Servermap;
import org.lafsfs.core.mutable.SignedPrefix;
import org.lafsfs.core.mutable.UncoordinatedWriteException;

/**
 * Repairs a mutable file as Tahoe's mutable repairer does: the newest
 * recoverable version is read and published again under the next sequence
 * number, over the MODE_CHECK servermap. Publish overwrites every share that
 * map found, of any version (so stale leftovers and corrupt shares are
 * superseded, #546), and places every missing share number, so all N shares
 * end at one version. Needs the write cap: only the writer can sign.
 */
final class MutableRepairer {
    private final Grid grid;
    private final MutableKeys keys;

    MutableRepairer(Grid grid, MutableKeys keys) {
        this.grid = grid;
        this.keys = keys;
    }

    /** Republishes; returns share number to the servers now holding it. */
    Map<Integer, List<String>> repair(Servermap map) throws MutableFileException, UncoordinatedWriteException {
        if (!keys.writable()) {
            throw new MutableFileException("a mutable file can only be repaired through its write cap");
        }
        SignedPrefix version = map.newestRecoverable().orElseThrow(() -> new MutableFileException(
                "no version of " + keys.storageIndex() + " is recoverable, so there is nothing to republish"));
        byte[] contents = new Retrieve(keys, map, version).readAll();
        unlockSigningKey(map, version);
        MutableEncoder encoder = new MutableEncoder(keys, version.k(), version.n(), contents.length, grid.random());
        return new Publish(grid, keys, map).publish(encoder.encode(map.highestSeqnum() + 1, contents));
    }

    /** The signing key is stored in every share, encrypted with the writekey; one good copy is enough. */
    private void unlockSigningKey(Servermap map, SignedPrefix version) throws MutableFileException {
        if (keys.signingKey().isPresent()) {
            return;
        }
        List<String> problems = new ArrayList<>();
        for (Servermap.Location l : map.versions().getOrDefault(version, List.of())) {
            try {
                byte[] head = l.server().storage().readMutable(keys.storageIndex(), l.share().shnum(), 0,
                        MutableShareLayout.MAPUPDATE_READ_LENGTH).join();
                MutableShareLayout.Field field = MutableShareLayout.parse(head).encPrivkeyField();
                byte[] encrypted = field.end() <= head.length ? field.in(head, 0)
                        : field.in(l.server().storage().readMutable(keys.storageIndex(), l.share().shnum(),
                                field.offset(), field.length()).join(), field.offset());
                keys.unlock(encrypted);
                return;
            } catch (LayoutInvalidException | GeneralSecurityException | RuntimeException e) {
                problems.add(l.server().name() + ": " + Leases.message(e));
            }
        }
        throw new MutableFileException("could not recover the signing key from any share: " + problems);
    }
}
