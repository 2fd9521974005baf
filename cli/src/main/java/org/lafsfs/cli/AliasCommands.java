package org.lafsfs.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.dirnode.Dirnode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code create-alias}, {@code add-alias} and {@code list-aliases}, as Tahoe's, over the node's private/aliases. */
final class AliasCommands {
    private AliasCommands() {
    }

    @Command(name = "create-alias", mixinStandardHelpOptions = true,
            description = "Create a new directory and an alias NAME for it (NAME: works like a drive letter).")
    static final class CreateAlias implements Callable<Integer> {
        @Parameters(paramLabel = "NAME[:]")
        String alias;

        @ParentCommand
        Main main;

        @Override
        public Integer call() throws IOException {
            String name = Aliases.name(alias);
            NodeDirectory node = NodeDirectory.open(main.node.nodeDir());
            Aliases aliases = Aliases.load(node.path());
            if (aliases.contains(name)) {
                throw new IllegalArgumentException("alias '" + name + "' already exists");
            }
            DirectoryCap cap;
            try (GridSession session = GridSession.open(node)) {
                cap = Dirnode.create(session.grid(), node.mutableFormat()).cap();
            }
            aliases.add(name, cap);
            Print.out("Alias '" + name + "' created");
            return 0;
        }
    }

    @Command(name = "add-alias", mixinStandardHelpOptions = true,
            description = "Add an alias NAME for an existing directory DIRCAP.")
    static final class AddAlias implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME[:]")
        String alias;

        @Parameters(index = "1", paramLabel = "DIRCAP")
        String cap;

        @ParentCommand
        Main main;

        @Override
        public Integer call() throws IOException {
            String name = Aliases.name(alias);
            DirectoryCap dir = Aliases.directoryCap(cap, "'" + cap.strip() + "'");
            Aliases.load(NodeDirectory.open(main.node.nodeDir()).path()).add(name, dir);
            Print.out("Alias '" + name + "' added");
            return 0;
        }
    }

    @Command(name = "list-aliases", mixinStandardHelpOptions = true, description = "Show the aliases and their"
            + " directory caps.")
    static final class ListAliases implements Callable<Integer> {
        @Option(names = "--readonly-uri", description = "show the read-only caps")
        boolean readonly;

        @Option(names = "--json", description = "as JSON: {NAME: {readwrite, readonly}}")
        boolean json;

        @ParentCommand
        Main main;

        @Override
        public Integer call() throws IOException {
            SortedMap<String, DirectoryCap> all = Aliases.load(NodeDirectory.open(main.node.nodeDir()).path()).all();
            if (json) {
                ObjectNode out = JsonNodeFactory.instance.objectNode();
                all.forEach((name, cap) -> out.putObject(name).put("readwrite", cap.uri())
                        .put("readonly", cap.readOnly().orElseThrow().uri()));
                Print.out(PythonJson.dumps(out, 4));
                return 0;
            }
            // Tahoe's layout: names right-aligned in a column two wider than the longest (it sizes it quoted).
            int width = all.keySet().stream().mapToInt(n -> n.codePointCount(0, n.length()) + 2).max().orElse(0);
            for (Map.Entry<String, DirectoryCap> e : all.entrySet()) {
                String name = e.getKey();
                String shown = readonly ? e.getValue().readOnly().orElseThrow().uri() : e.getValue().uri();
                Print.out(" ".repeat(width - name.codePointCount(0, name.length())) + name + ": " + shown);
            }
            return 0;
        }
    }
}
