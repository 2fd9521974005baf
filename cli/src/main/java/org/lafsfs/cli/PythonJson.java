package org.lafsfs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;
import org.lafsfs.core.dirnode.MetadataJson;

/**
 * JSON as Tahoe's command line prints it: Python's {@code json.dumps(value,
 * indent=N)}. Keys in the order given, one item a line indented by N spaces
 * a level, {@code ","} after items and {@code ": "} after keys, empty
 * containers as {@code {}} and {@code []}, everything beyond printable ASCII
 * escaped, floats as Python's repr (the scalars are {@link MetadataJson}'s,
 * which writes them as Tahoe does).
 */
final class PythonJson {
    private PythonJson() {
    }

    static String dumps(JsonNode value, int indent) {
        StringBuilder out = new StringBuilder();
        write(value, indent, 0, out);
        return out.toString();
    }

    private static void write(JsonNode node, int indent, int level, StringBuilder out) {
        if (node.isObject() || node.isArray()) {
            if (node.isEmpty()) {
                out.append(node.isObject() ? "{}" : "[]");
                return;
            }
            out.append(node.isObject() ? '{' : '[');
            boolean first = true;
            if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> field = it.next();
                    first = separate(first, indent, level + 1, out);
                    out.append(MetadataJson.dumps(TextNode.valueOf(field.getKey()))).append(": ");
                    write(field.getValue(), indent, level + 1, out);
                }
            } else {
                for (JsonNode item : node) {
                    first = separate(first, indent, level + 1, out);
                    write(item, indent, level + 1, out);
                }
            }
            newline(indent, level, out);
            out.append(node.isObject() ? '}' : ']');
            return;
        }
        out.append(MetadataJson.dumps(node));
    }

    private static boolean separate(boolean first, int indent, int level, StringBuilder out) {
        if (!first) {
            out.append(',');
        }
        newline(indent, level, out);
        return false;
    }

    private static void newline(int indent, int level, StringBuilder out) {
        out.append('\n').append(" ".repeat(indent * level));
    }
}
