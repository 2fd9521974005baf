package org.lafsfs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.check.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lafsfs manifest [--storage-index|--verify-cap] [--json] ROOT}, as
 * {@code tahoe manifest}: a line {@code CAP PATH} for every object reachable
 * from ROOT (the root's path is empty), or just the storage indexes or verify
 * caps of the stored ones. {@code --json} gives every object's path, cap,
 * storage index and verify cap, and Tahoe's t=start-manifest lists beside them.
 */
@Command(name = "manifest", mixinStandardHelpOptions = true,
        description = {"List everything reachable from a directory: each object once, with its cap and path.",
            "ROOT is ALIAS:[SUBDIRS/], DIRCAP[/SUBDIRS] or [SUBDIRS] in tahoe:."})
final class ManifestCommand implements Callable<Integer> {
    @Option(names = {"-s", "--storage-index"}, description = "only the storage indexes (literal objects have none)")
    boolean storageIndex;

    @Option(names = "--verify-cap", description = "only the verify caps (literal objects have none)")
    boolean verifyCap;

    @Option(names = "--json", description = "every object's path, cap, storage index and verify cap, as JSON")
    boolean json;

    @Parameters(paramLabel = "ROOT")
    String where;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws IOException {
        NodeDirectory node = NodeDirectory.open(main.node.nodeDir());
        Aliases aliases = Aliases.load(node.path());
        Manifest.Result manifest;
        DirectoryCap root;
        try (GridSession session = GridSession.open(node)) {
            root = CheckTarget.directory(where, aliases, session.grid());
            manifest = new Manifest(session.grid()).of(root);
        }
        if (json) {
            Print.out(PythonJson.dumps(json(root, manifest), 1));
        } else {
            Set<String> lines = new LinkedHashSet<>();
            for (Manifest.Entry e : manifest.entries()) {
                if (storageIndex) {
                    if (e.storageIndex() != null) {
                        lines.add(e.storageIndex().toString());
                    }
                } else if (verifyCap) {
                    if (e.verifyCap() != null) {
                        lines.add(e.verifyCap().uri());
                    }
                } else {
                    lines.add((e.cap().uri() + " " + String.join("/", e.path())).stripTrailing());
                }
            }
            lines.forEach(Print::out);
        }
        manifest.errors().forEach(e -> Print.err("ERROR: " + e));
        return manifest.errors().isEmpty() ? 0 : 1;
    }

    private static ObjectNode json(DirectoryCap root, Manifest.Result manifest) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode d = f.objectNode();
        d.put("finished", true);
        d.put("origin_si", root.storageIndex().map(Object::toString).orElse(""));
        ArrayNode objects = d.putArray("objects");
        ArrayNode pairs = d.putArray("manifest");
        ArrayNode verifycaps = d.putArray("verifycaps");
        ArrayNode indexes = d.putArray("storage-index");
        for (Manifest.Entry e : manifest.entries()) {
            ObjectNode o = objects.addObject();
            ArrayNode path = o.putArray("path");
            e.path().forEach(path::add);
            o.put("cap", e.cap().uri());
            o.put("storage-index", e.storageIndex() == null ? null : e.storageIndex().toString());
            o.put("verifycap", e.verifyCap() == null ? null : e.verifyCap().uri());
            ArrayNode pair = pairs.addArray();
            pair.add(path.deepCopy());
            pair.add(e.cap().uri());
            if (e.verifyCap() != null) {
                verifycaps.add(e.verifyCap().uri());
            }
            if (e.storageIndex() != null) {
                indexes.add(e.storageIndex().toString());
            }
        }
        ArrayNode errors = d.putArray("list-errors");
        manifest.errors().forEach(errors::add);
        return d;
    }
}
