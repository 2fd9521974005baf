package org.lafsfs.cache;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Constructor;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.MutableWriteCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.mutable.Mode;
import org.lafsfs.core.mutable.Servermap;

/** Caps, listings and servermaps for the cache tests; {@code seed} makes distinct ones. */
final class Fixtures {
    private Fixtures() {
    }

    static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) seed);
        b[0] = (byte) (seed >> 8);
        return b;
    }

    /** The write cap of a mutable (MDMF) directory. */
    static DirectoryCap mutableDirectory(int seed) {
        return new DirectoryCap(new MutableWriteCap(MutableFormat.MDMF, bytes(16, seed), bytes(32, seed + 1)));
    }

    static DirectoryCap readCapOf(DirectoryCap dir) {
        return (DirectoryCap) dir.readOnly().orElseThrow();
    }

    /** The read cap of an immutable (DIR2-CHK) directory. */
    static DirectoryCap immutableDirectory(int seed) {
        return new DirectoryCap(new ChkCap(bytes(16, seed), bytes(32, seed + 1), 3, 10, 1000 + seed));
    }

    /** A DIR2-LIT directory (its contents are in the cap, and it has no storage index). */
    static DirectoryCap literalDirectory(int seed) {
        return new DirectoryCap(new LiteralCap(bytes(20, seed)));
    }

    static StorageIndex storageIndex(int seed) {
        return StorageIndex.of(bytes(16, seed));
    }

    static ObjectNode metadata(String key, long value) {
        return JsonNodeFactory.instance.objectNode().put(key, value);
    }

    /** A child linked through a write cap: it has both slots filled. */
    static DirectoryEntry writableChild(String name, int seed) {
        return DirectoryEntry.of(name, mutableDirectory(seed), metadata("mtime", seed));
    }

    /** A child with only a read cap. */
    static DirectoryEntry readOnlyChild(String name, int seed) {
        return DirectoryEntry.of(name, immutableDirectory(seed), metadata("mtime", seed));
    }

    static SortedMap<String, DirectoryEntry> listing(DirectoryEntry... entries) {
        SortedMap<String, DirectoryEntry> map = new TreeMap<>();
        for (DirectoryEntry e : entries) {
            map.put(e.name(), e);
        }
        return map;
    }

    /**
     * An empty servermap. Only ServermapUpdater and Publish make real ones (the constructor is package-private in
     * client-core); the cache only files them, so an empty one made by reflection serves.
     */
    static Servermap servermap(StorageIndex si) {
        try {
            Constructor<Servermap> c = Servermap.class.getDeclaredConstructor(StorageIndex.class, List.class,
                    Mode.class);
            c.setAccessible(true);
            return c.newInstance(si, List.of(), Mode.READ);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot make a Servermap for a test", e);
        }
    }
}
