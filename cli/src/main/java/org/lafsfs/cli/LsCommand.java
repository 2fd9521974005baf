package org.lafsfs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.dirnode.DirnodeContents;
import org.lafsfs.core.dirnode.NoSuchChildException;
import org.lafsfs.core.mutable.MutableFileNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lafsfs ls [-l] [--uri] [--readonly-uri] [-F] [--json] [PATH]}, as
 * {@code tahoe ls}: the listing is built as Tahoe's {@code ?t=json} (what
 * {@code --json} prints) and the other forms are drawn from it the way
 * tahoe_ls.py draws them.
 */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = {"List a directory (or describe a file) on the grid.",
            "PATH is ALIAS:[SUBDIRS/][NAME], [SUBDIRS/][NAME] (in the tahoe: alias; the default is tahoe: itself),"
                + " or a cap, optionally followed by /SUBDIRS. A PATH that does not exist exits with code 2.",
            "With -l each line is: type and permissions (drwx: d directory, r/w readable/writable through this"
                + " link, x listable), size (- for directories, ? when unknown, as for mutable files), the time"
                + " the link was created, the name."})
final class LsCommand implements Callable<Integer> {
    private static final double SIX_MONTHS = 6 * 30 * 24 * 60 * 60;

    @Parameters(arity = "0..1", paramLabel = "PATH")
    String where;

    @Option(names = {"-l", "--long"}, description = "long format: permissions, size and time")
    boolean longFormat;

    @Option(names = "--uri", description = "show each child's cap")
    boolean uri;

    @Option(names = "--readonly-uri", description = "show each child's read-only cap")
    boolean readonlyUri;

    @Option(names = {"-F", "--classify"},
            description = "append / to directories and * to files writable through this link")
    boolean classify;

    @Option(names = "--json", description = "print the listing as Tahoe's JSON")
    boolean json;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws IOException {
        String text = where == null ? "" : where;
        if (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        NodeDirectory node = NodeDirectory.open(main.node.nodeDir());
        GridPath path = GridPath.parse(text, Aliases.load(node.path()));
        ArrayNode listing;
        try (GridSession session = GridSession.open(node)) {
            GridPath.Target target = path.resolve(session.grid());
            if (target.cap() instanceof DirectoryCap dir) {
                listing = NodeJson.directory(dir, Dirnode.open(session.grid(), dir).list());
            } else {
                Cap cap = target.cap();
                Long size = cap.isMutable() && NodeJson.isFile(cap)
                        ? new MutableFileNode(session.grid(), cap).reader().size() : NodeJson.immutableSize(cap);
                listing = NodeJson.file(cap, size, target.entry());
            }
        } catch (NoSuchChildException e) {
            Print.err("lafsfs: " + e.getMessage());
            return 2; // as tahoe ls: "no such file or directory" is 2, so scripts can test for it
        }
        if (json) {
            Print.out(PythonJson.dumps(listing, 1));
            return 0;
        }
        String name = path.isRoot() ? path.toString() : path.name();
        print(listing, name);
        return 0;
    }

    private void print(ArrayNode listing, String fileName) {
        Map<String, JsonNode> children = new TreeMap<>(DirnodeContents.NAME_ORDER);
        if (listing.get(0).asText().equals("dirnode")) {
            listing.get(1).get("children").fields().forEachRemaining(e -> children.put(e.getKey(), e.getValue()));
        } else {
            ObjectNode d = ((ObjectNode) listing.get(1)).deepCopy();
            if (!d.has("metadata")) {
                d.set("metadata", JsonNodeFactory.instance.objectNode());
            }
            children.put(fileName, JsonNodeFactory.instance.arrayNode().add(listing.get(0)).add(d));
        }
        double now = System.currentTimeMillis() / 1000.0;
        List<List<String>> rows = new ArrayList<>();
        boolean unknowns = false;
        for (Map.Entry<String, JsonNode> child : children.entrySet()) {
            String type = child.getValue().get(0).asText();
            JsonNode d = child.getValue().get(1);
            String rw = d.path("rw_uri").asText(null);
            String ro = d.path("ro_uri").asText(null);
            String t0;
            String size;
            String suffix;
            switch (type) {
                case "dirnode" -> {
                    t0 = "d";
                    size = "-";
                    suffix = "/";
                }
                case "filenode" -> {
                    t0 = "-";
                    size = d.has("size") ? d.get("size").asText() : "?";
                    suffix = rw != null ? "*" : "";
                }
                default -> {
                    unknowns = true;
                    t0 = "?";
                    size = "?";
                    suffix = "?";
                }
            }
            List<String> row = new ArrayList<>();
            if (longFormat) {
                row.add(t0 + (ro != null ? "r" : "-") + (rw != null ? "w" : "-") + (type.equals("dirnode") ? "x" : "-"));
                row.add(size);
                row.add(linkTime(d.path("metadata"), now));
            }
            row.add(child.getKey() + (classify ? suffix : ""));
            if (uri) {
                row.add(rw != null ? rw : ro);
            }
            if (readonlyUri) {
                row.add(ro != null ? ro : "-");
            }
            rows.add(row);
        }
        for (String line : columns(rows)) {
            Print.out(line);
        }
        if (unknowns) {
            Print.err("lafsfs: this listing includes objects of kinds Tahoe-LAFS 1.20 does not know (shown as ?)");
        }
    }

    /** When the link was made (tahoe.linkcrtime, or the old ctime), formatted as GNU ls formats times. */
    private static String linkTime(JsonNode metadata, double now) {
        double time = metadata.path("tahoe").path("linkcrtime").asDouble(0);
        if (time == 0) {
            time = metadata.path("ctime").asDouble(0);
        }
        if (time == 0) {
            return "-";
        }
        String pattern = now - time > SIX_MONTHS ? "MMM dd  yyyy" : "MMM dd HH:mm";
        return DateTimeFormatter.ofPattern(pattern, Locale.US).withZone(ZoneId.systemDefault())
                .format(Instant.ofEpochMilli((long) (time * 1000)));
    }

    /**
     * The rows as tahoe ls lays them out: each column as wide as its widest
     * cell, right-aligned unless it holds caps (or is the only column), one
     * space between columns, trailing blanks trimmed.
     */
    private static List<String> columns(List<List<String>> rows) {
        List<Integer> widths = new ArrayList<>();
        List<Boolean> left = new ArrayList<>();
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i) == null ? "None" : row.get(i);
                if (widths.size() <= i) {
                    widths.add(0);
                    left.add(false);
                }
                widths.set(i, Math.max(widths.get(i), cell.codePointCount(0, cell.length())));
                if (cell.startsWith("URI")) {
                    left.set(i, true);
                }
            }
        }
        if (left.size() == 1) {
            left.set(0, true);
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i) == null ? "None" : row.get(i);
                String pad = " ".repeat(widths.get(i) - cell.codePointCount(0, cell.length()));
                if (i > 0) {
                    line.append(' ');
                }
                line.append(left.get(i) ? cell + pad : pad + cell);
            }
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }
}
