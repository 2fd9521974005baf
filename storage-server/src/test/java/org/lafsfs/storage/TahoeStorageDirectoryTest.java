package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.Interop;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.storage.HttpStorageClient;
import org.lafsfs.core.storage.LeaseSecrets;
import org.lafsfs.core.storage.StorageServer;

/**
 * Storage directories written by real Tahoe-LAFS 1.20 servers, served as they
 * are over HTTPS: every share is listed and reads back byte for byte, and a
 * lease added here leaves the share readable as Tahoe wrote it.
 */
class TahoeStorageDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void everyShareTahoeStoredIsListedAndReadsBackByteForByte() throws Exception {
        int checked = 0;
        for (JsonNode server : Interop.servers()) {
            String nickname = server.get("nickname").asText();
            Path storage = copyStorage(nickname);
            StorageBackend backend = new StorageBackend(storage, Base32.decode(server.get("foolscap_tubid").asText()),
                    0, Clock.systemUTC());
            try (HttpStorageServer http = HttpStorageServer.start(backend, HttpStorageServerTest.IDENTITY,
                    "127.0.0.1", 0)) {
                StorageServer client = new HttpStorageClient(http.nurl());
                for (JsonNode object : Interop.objects()) {
                    if (!object.has("share_files") || !object.get("share_files").has(nickname)) {
                        continue;
                    }
                    StorageIndex si = StorageIndex.parse(object.get("storage_index").asText());
                    boolean mutable = object.get("kind").asText().startsWith("mutable");
                    Set<Integer> expected = new HashSet<>();
                    object.get("shares").get(nickname).forEach(n -> expected.add(n.asInt()));
                    Set<Integer> listed = (mutable ? client.listMutableShares(si) : client.listImmutableShares(si))
                            .join();
                    assertThat(listed).as("%s on %s", object.get("name"), nickname).isEqualTo(expected);
                    for (int shnum : expected) {
                        byte[] container = Interop.shareFile(object, nickname, shnum);
                        byte[] data = mutable ? mutableData(container) : Interop.immutableShareData(container);
                        byte[] read = (mutable ? client.readMutable(si, shnum, 0, data.length + 100)
                                : client.readImmutable(si, shnum, 0, data.length + 100)).join();
                        assertThat(read).as("%s share %d on %s", object.get("name"), shnum, nickname)
                                .isEqualTo(data);
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(150);
    }

    @Test
    void aLeaseAddedHereKeepsTahoesShareIntact() throws Exception {
        JsonNode object = Interop.object("imm-0001000");
        String nickname = Interop.holder(object, 0);
        Path storage = copyStorage(nickname);
        StorageIndex si = StorageIndex.parse(object.get("storage_index").asText());
        StorageBackend backend = new StorageBackend(storage, new byte[20], 0, Clock.systemUTC());
        Path share = storage.resolve("shares/" + si.prefix() + "/" + si + "/0");
        assertThat(ImmutableShareFile.open(share).version()).isEqualTo(2);
        assertThat(ImmutableShareFile.open(share).leases()).hasSize(1);

        backend.addOrRenewLease(si, new LeaseSecrets(new byte[32], new byte[32]));

        assertThat(ImmutableShareFile.open(share).leases()).hasSize(2);
        byte[] data = Interop.immutableShareData(Interop.shareFile(object, nickname, 0));
        assertThat(backend.readImmutable(si, 0, 0, data.length)).isEqualTo(data);

        JsonNode dirObject = Interop.object("dir-sdmf");
        String holder = Interop.holder(dirObject, 0);
        Path mutableStorage = copyStorage(holder);
        StorageIndex dirSi = StorageIndex.parse(dirObject.get("storage_index").asText());
        StorageBackend mutableBackend = new StorageBackend(mutableStorage, new byte[20], 0, Clock.systemUTC());
        Path mutableShare = mutableStorage.resolve("shares/" + dirSi.prefix() + "/" + dirSi + "/0");
        assertThat(MutableShareFile.open(mutableShare).version()).isEqualTo(2);
        int before = MutableShareFile.open(mutableShare).leases().size();
        mutableBackend.addOrRenewLease(dirSi, new LeaseSecrets(new byte[32], new byte[32]));
        assertThat(MutableShareFile.open(mutableShare).leases()).hasSize(before + 1);
        byte[] mutableBytes = mutableData(Interop.shareFile(dirObject, holder, 0));
        assertThat(mutableBackend.readMutable(dirSi, 0, 0, mutableBytes.length)).isEqualTo(mutableBytes);
    }

    private Path copyStorage(String nickname) {
        return Interop.copyStorage(nickname, dir.resolve(nickname));
    }

    /** The data of a mutable container: data length at byte 84, data from byte 468. */
    static byte[] mutableData(byte[] container) {
        long length = ByteBuffer.wrap(container).getLong(84);
        return Arrays.copyOfRange(container, 468, 468 + (int) length);
    }
}
