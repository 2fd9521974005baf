package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.dirnode.ExistingChildException;
import org.lafsfs.core.dirnode.NoSuchChildException;
import org.lafsfs.core.mutable.MutableFileNode;

/** Directories on a grid: linking, unlinking, moving, subdirectories, read-only and immutable directories. */
class DirnodeTest extends OnSimulatedGrid {

    static Cap lit(String text) {
        return new LiteralCap(text.getBytes());
    }

    @ParameterizedTest
    @EnumSource(MutableFormat.class)
    void linkListAndUnlink(MutableFormat format) throws Exception {
        Dirnode d = Dirnode.create(client, format);
        assertThat(d.list()).isEmpty();
        MutableFileNode file = MutableFileNode.create(client, MutableFormat.MDMF, "mutable child".getBytes());
        d.link("a.txt", lit("a"), null, false);
        d.link("mutable", file.writeCap(), null, false);
        Dirnode reopened = Dirnode.open(grid.client(), d.cap());
        Map<String, DirectoryEntry> children = reopened.list();
        assertThat(children.keySet()).containsExactly("a.txt", "mutable");
        assertThat(children.get("mutable").writeCap()).isEqualTo(file.writeCap().uri());
        assertThat(children.get("mutable").readCap()).isEqualTo(file.readCap().uri());
        assertThat(children.get("a.txt").metadata().get("tahoe").get("linkcrtime").asDouble()).isPositive();

        assertThat(reopened.unlink("a.txt").readCap()).isEqualTo(lit("a").uri());
        assertThat(d.list().keySet()).containsExactly("mutable");
        assertThatThrownBy(() -> d.unlink("a.txt")).isInstanceOf(NoSuchChildException.class);
    }

    @Test
    void aReadCapListsWithoutWriteCapsAndCannotEdit() throws Exception {
        Dirnode d = Dirnode.create(client, MutableFormat.SDMF);
        MutableFileNode file = MutableFileNode.create(client, MutableFormat.SDMF, "x".getBytes());
        d.link("f", file.writeCap(), null, false);
        Dirnode readOnly = Dirnode.open(client, d.cap().readOnly().orElseThrow());
        assertThat(readOnly.isReadOnly()).isTrue();
        DirectoryEntry entry = readOnly.list().get("f");
        assertThat(entry.writeCap()).isNull();
        assertThat(entry.readCap()).isEqualTo(file.readCap().uri());
        assertThatThrownBy(() -> readOnly.link("g", lit("g"), null, false)).isInstanceOf(IOException.class)
                .hasMessageContaining("read-only");
    }

    @Test
    void relinkingKeepsTheCreationTimeAndRefusesWithoutOverwrite() throws Exception {
        Dirnode d = Dirnode.create(client, MutableFormat.MDMF);
        ObjectNode meta = JsonNodeFactory.instance.objectNode().put("note", "mine");
        d.link("x", lit("one"), meta, false);
        double created = d.get("x").orElseThrow().metadata().get("tahoe").get("linkcrtime").asDouble();
        assertThatThrownBy(() -> d.link("x", lit("two"), null, false)).isInstanceOf(ExistingChildException.class);
        d.link("x", lit("two"), null, true);
        DirectoryEntry x = d.get("x").orElseThrow();
        assertThat(x.readCap()).isEqualTo(lit("two").uri());
        assertThat(x.metadata().get("note").asText()).isEqualTo("mine");
        assertThat(x.metadata().get("tahoe").get("linkcrtime").asDouble()).isEqualTo(created);
        assertThat(x.metadata().get("tahoe").get("linkmotime").asDouble()).isGreaterThanOrEqualTo(created);
    }

    @Test
    void moveRenamesWithinADirectoryAndMovesBetweenDirectories() throws Exception {
        Dirnode a = Dirnode.create(client, MutableFormat.SDMF);
        Dirnode b = a.createSubdirectory("sub", MutableFormat.MDMF);
        a.link("f", lit("f"), null, false);
        a.link("g", lit("g"), null, false);
        a.move("f", a, "g", true); // rename over an existing name replaces it
        assertThat(a.list().keySet()).containsExactly("g", "sub");
        assertThat(a.get("g").orElseThrow().readCap()).isEqualTo(lit("f").uri());
        assertThatThrownBy(() -> a.move("missing", a, "h", false)).isInstanceOf(NoSuchChildException.class);

        a.move("g", b, "moved", false);
        assertThat(a.list().keySet()).containsExactly("sub");
        Dirnode sub = Dirnode.open(client, a.get("sub").orElseThrow().cap().orElseThrow());
        assertThat(sub.list().keySet()).containsExactly("moved");
        b.link("taken", lit("t"), null, false);
        sub.link("other", lit("o"), null, false);
        assertThatThrownBy(() -> sub.move("other", sub, "taken", false)).isInstanceOf(ExistingChildException.class);
    }

    @Test
    void manyLinksInOnePublish() throws Exception {
        Dirnode d = Dirnode.create(client, MutableFormat.MDMF);
        Map<String, Cap> batch = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            batch.put("file" + i, lit("content " + i));
        }
        long before = grid.mutableBytesWritten();
        d.linkAll(batch, false);
        assertThat(d.list()).hasSize(100);
        assertThat(grid.mutableBytesWritten() - before).isLessThan(200_000); // one publish, not a hundred
    }

    @Test
    void immutableDirectoriesAreLiteralWhenSmallAndChkOtherwise() throws Exception {
        Map<String, DirectoryEntry> one = Map.of("a", DirectoryEntry.of("a", new LiteralCap(new byte[0]), null));
        Dirnode small = Dirnode.createImmutable(client, one, new byte[32]);
        assertThat(small.cap().uri()).startsWith("URI:DIR2-LIT:");
        assertThat(Dirnode.open(client, small.cap()).list().keySet()).containsExactly("a");

        Map<String, DirectoryEntry> many = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            many.put("n" + i, DirectoryEntry.of("n" + i, lit("x" + i), null));
        }
        many.put("nested", DirectoryEntry.of("nested", small.cap(), null));
        Dirnode big = Dirnode.createImmutable(client, many, new byte[32]);
        assertThat(big.cap().uri()).startsWith("URI:DIR2-CHK:");
        assertThat(Dirnode.open(grid.client(), big.cap()).list()).hasSize(21);
        assertThatThrownBy(() -> big.link("more", lit("m"), null, false)).isInstanceOf(IOException.class)
                .hasMessageContaining("immutable");

        MutableFileNode mutable = MutableFileNode.create(client, MutableFormat.SDMF, new byte[0]);
        assertThatThrownBy(() -> Dirnode.createImmutable(client,
                Map.of("m", DirectoryEntry.of("m", mutable.readCap(), null)), new byte[32]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesAreNormalizedAndSlashesRefused() throws Exception {
        Dirnode d = Dirnode.create(client, MutableFormat.SDMF);
        d.link("cafe\u0301", lit("c"), null, false); // decomposed é
        assertThat(d.list().keySet()).containsExactly("caf\u00e9");
        assertThat(d.get("caf\u00e9")).isPresent();
        assertThatThrownBy(() -> d.link("a/b", lit("x"), null, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
