package org.lafsfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The direction of dependencies between modules (DESIGN.md), in one place.
 * Code can only reach another module through its pom, so checking every pom's
 * lafsfs dependencies against this table keeps the layering from the start:
 * adapters over vfs over cache over client-core; storage-server beside them,
 * on client-core only; cli wires everything. Tests above client-core may run
 * on storage-server's in-process grid (test scope only).
 */
class ModuleDirectionTest {
    private static final Set<String> ADAPTER_MAY_USE = Set.of("vfs", "cache", "client-core");

    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "client-core", Set.of(),
            "storage-server", Set.of("client-core"),
            "cache", Set.of("client-core"),
            "vfs", Set.of("cache", "client-core"),
            "fuse-mount", ADAPTER_MAY_USE,
            "sftp-server", ADAPTER_MAY_USE,
            "drop-upload", ADAPTER_MAY_USE,
            "cli", Set.of("client-core", "storage-server", "cache", "vfs", "fuse-mount", "sftp-server", "drop-upload"),
            "benchmarks", Set.of("client-core", "storage-server", "cache", "vfs", "sftp-server", "drop-upload"));

    @Test
    void everyModuleDependsOnlyOnTheModulesBelowIt() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Set<String> modules = elements(parse(root.resolve("pom.xml")), "module");
        assertThat(modules).containsExactlyInAnyOrderElementsOf(ALLOWED.keySet());
        for (String module : modules) {
            Path pom = root.resolve(module).resolve("pom.xml");
            assertThat(pom).exists();
            Set<String> uses = new LinkedHashSet<>();
            NodeList deps = parse(pom).getElementsByTagName("dependency");
            for (int i = 0; i < deps.getLength(); i++) {
                Element dep = (Element) deps.item(i);
                boolean testGrid = text(dep, "artifactId").equals("storage-server")
                        && text(dep, "scope").equals("test") && !module.equals("client-core");
                if (text(dep, "groupId").equals("org.lafsfs") && !testGrid) {
                    uses.add(text(dep, "artifactId"));
                }
            }
            assertThat(ALLOWED.get(module)).as("modules %s may depend on", module).containsAll(uses);
        }
    }

    private static Document parse(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Files.newInputStream(pom));
    }

    private static Set<String> elements(Document doc, String tag) {
        Set<String> values = new LinkedHashSet<>();
        NodeList nodes = doc.getElementsByTagName(tag);
        for (int i = 0; i < nodes.getLength(); i++) {
            values.add(nodes.item(i).getTextContent().strip());
        }
        return values;
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().strip();
    }
}
