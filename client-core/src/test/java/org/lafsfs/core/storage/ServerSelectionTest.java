package org.lafsfs.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.Interop;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.codec.Base32;

/** Reading Tahoe's server announcements and ordering servers as Tahoe does. */
class ServerSelectionTest {
    @TempDir
    Path dir;

    static List<ServerAnnouncement> interopServers() {
        List<ServerAnnouncement> servers = new ArrayList<>();
        for (JsonNode s : Interop.servers()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> ann = new ObjectMapper().convertValue(s.get("announcement"), Map.class);
            servers.add(ServerAnnouncement.fromAnnouncement(s.get("nodeid").asText(), ann));
        }
        return servers;
    }

    @Test
    void announcementsYieldTheNurlTubIdAndPermutationSeedTahoeUses() {
        for (JsonNode s : Interop.servers()) {
            ServerAnnouncement a = interopServers().stream()
                    .filter(x -> x.serverId().equals(s.get("nodeid").asText())).findFirst().orElseThrow();
            assertThat(a.nickname()).isEqualTo(s.get("nickname").asText());
            assertThat(Base32.encode(a.writeEnablerNodeId())).isEqualTo(s.get("foolscap_tubid").asText());
            assertThat(Base32.encode(a.permutationSeed())).isEqualTo(s.get("permutation_seed_base32").asText());
            Nurl nurl = a.nurls().get(0);
            assertThat(nurl.toString()).isEqualTo(s.get("anonymous_storage_NURLs").get(0).asText());
            assertThat(Nurl.encodeSpkiHash(nurl.spkiHash())).isEqualTo(s.get("tls_spki_sha256_base64url").asText());
            assertThat(nurl.locations().get(0).host()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void mutableSharesSitOnServersInPermutedOrder() {
        // For a new mutable file on a grid of N servers, Tahoe puts share i on the i-th server of the
        // permuted order: the placement Tahoe made is the proof that the order is the same.
        List<ServerAnnouncement> servers = interopServers();
        int checked = 0;
        for (JsonNode object : Interop.objects()) {
            if (!object.get("kind").asText().startsWith("mutable")) {
                continue;
            }
            List<ServerAnnouncement> order = ServerPermutation.order(
                    StorageIndex.parse(object.get("storage_index").asText()), servers);
            for (int shnum = 0; shnum < order.size(); shnum++) {
                assertThat(order.get(shnum).nickname()).as("%s share %d", object.get("name"), shnum)
                        .isEqualTo(Interop.holder(object, shnum));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(50);
    }

    @Test
    void aNewServerIsInsertedWithoutReorderingTheOthers() {
        List<ServerAnnouncement> servers = interopServers();
        StorageIndex si = StorageIndex.parse("zau3hsxsgcefuytf4zdbuhsuku");
        List<ServerAnnouncement> before = ServerPermutation.order(si, servers.subList(0, 7));
        List<ServerAnnouncement> after = new ArrayList<>(ServerPermutation.order(si, servers));
        after.retainAll(before);
        assertThat(after).isEqualTo(before);
    }

    @Test
    void serversYamlIsReadAsTahoeWritesIt() throws Exception {
        JsonNode s = Interop.servers().get(0);
        String yaml = "storage:\n"
                + "  " + s.get("nodeid").asText() + ":\n"
                + "    ann:\n"
                + "      nickname: " + s.get("nickname").asText() + "\n"
                + "      anonymous-storage-FURL: " + s.get("anonymous_storage_FURL").asText() + "\n"
                + "      anonymous-storage-NURLs:\n"
                + "      - " + s.get("anonymous_storage_NURLs").get(0).asText() + "\n"
                + "  v0-" + "a".repeat(52) + ":\n"
                + "    ann:\n"
                + "      anonymous-storage-FURL: pb://" + "b".repeat(32) + "@tcp:10.0.0.1:1234/swiss\n";
        Path file = dir.resolve("servers.yaml");
        Files.writeString(file, yaml);
        List<ServerAnnouncement> servers = ServersYaml.read(file);
        assertThat(servers).hasSize(2);
        ServerAnnouncement first = servers.stream().filter(a -> a.nickname().equals("storage01")).findFirst()
                .orElseThrow();
        // Without permutation-seed-base32, a v0- server id is the seed.
        assertThat(Base32.encode(first.permutationSeed())).isEqualTo(s.get("nodeid").asText().substring(3));
        assertThat(first.nurls()).hasSize(1);
        ServerAnnouncement foolscapOnly = servers.stream().filter(a -> a.nurls().isEmpty()).findFirst().orElseThrow();
        assertThat(foolscapOnly.permutationSeed()).isEqualTo(Base32.decode("a".repeat(52)));

        Path written = dir.resolve("copy.yaml");
        ServersYaml.write(written, List.of(Map.entry(first.serverId(), Map.<String, Object>of(
                "nickname", "storage01", "anonymous-storage-FURL", first.furl(),
                "anonymous-storage-NURLs", List.of(first.nurls().get(0).toString())))));
        assertThat(ServersYaml.read(written)).singleElement()
                .satisfies(a -> assertThat(a.nurls()).isEqualTo(first.nurls()));
        assertThat(ServersYaml.read(dir.resolve("absent.yaml"))).isEmpty();
    }

    @Test
    void malformedServerDescriptionsAreReportedWithTheServerId() throws Exception {
        Path file = dir.resolve("servers.yaml");
        Files.writeString(file, "storage:\n  v0-x:\n    ann:\n      anonymous-storage-NURLs: [\"http://nope\"]\n");
        assertThatThrownBy(() -> ServersYaml.read(file)).hasMessageContaining("v0-x").hasMessageContaining("NURL");
        Files.writeString(file, "storage: [unclosed");
        assertThatThrownBy(() -> ServersYaml.read(file)).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> Nurl.parse("pb://abc@host/swiss#v=1")).hasMessageContaining("host:port");
    }
}
