package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.storage.HttpStorageClient;
import org.lafsfs.core.storage.Nurl;
import org.lafsfs.core.storage.StorageException;
import org.lafsfs.core.storage.StorageServer;
import org.lafsfs.core.storage.StorageWire;

/** The storage contract over real TLS on loopback, plus what only HTTPS can get wrong. */
class HttpStorageServerTest extends StorageServerContract {
    static final ServerIdentity IDENTITY = ServerIdentity.generate();

    HttpStorageServer http;

    @Override
    StorageServer connect(StorageBackend backend) throws Exception {
        http = HttpStorageServer.start(backend, IDENTITY, "127.0.0.1", 0);
        closeLater(http);
        return new HttpStorageClient(http.nurl());
    }

    @Test
    void theNurlNamesTheBoundPortTheKeyAndTheSwissnum() throws Exception {
        server();
        Nurl nurl = http.nurl();
        assertThat(nurl.locations()).singleElement().satisfies(l -> {
            assertThat(l.host()).isEqualTo("127.0.0.1");
            assertThat(l.port()).isEqualTo(http.port()).isPositive();
        });
        assertThat(nurl.spkiHash()).isEqualTo(IDENTITY.spkiHash());
        assertThat(Nurl.parse(nurl.toString())).isEqualTo(nurl);
        assertThat(http.furl()).startsWith("pb://").contains("@tcp:127.0.0.1:" + http.port() + "/");
    }

    @Test
    void aWrongSwissnumIsUnauthorized() throws Exception {
        server();
        Nurl wrong = new Nurl(IDENTITY.spkiHash(), http.nurl().locations(), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        assertThatThrownBy(() -> join(new HttpStorageClient(wrong).version()))
                .isInstanceOf(StorageException.Unauthorized.class).hasMessageContaining("401");
    }

    @Test
    void aServerWithAnotherKeyIsNotTrusted() throws Exception {
        server();
        Nurl impostor = new Nurl(bytes(32, 40), http.nurl().locations(), IDENTITY.swissnum());
        assertThatThrownBy(() -> join(new HttpStorageClient(impostor).version()))
                .isInstanceOf(StorageException.WrongServer.class).hasMessageContaining("SPKI hash");
    }

    @Test
    void aServerThatIsGoneIsUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there now
        }
        Nurl gone = new Nurl(IDENTITY.spkiHash(), List.of(new Nurl.HostPort("127.0.0.1", port)), "swiss");
        assertThatThrownBy(() -> join(new HttpStorageClient(gone).version()))
                .isInstanceOf(StorageException.ServerUnreachable.class);
    }

    @Test
    void aServerThatHangsBecomesAFailedOneAfterTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) { // accepts TCP, never speaks TLS
            Nurl hung = new Nurl(IDENTITY.spkiHash(), List.of(new Nurl.HostPort("127.0.0.1", silent.getLocalPort())),
                    "swiss");
            HttpStorageClient client = new HttpStorageClient(hung, "hung", Duration.ofMillis(500));
            assertThatThrownBy(() -> join(client.version())).isInstanceOf(StorageException.ServerUnreachable.class);
        }
    }

    @Test
    void requestsWithMissingOrMalformedSecretsAreBadRequests() throws Exception {
        server();
        HttpResponse<byte[]> missing = raw("PUT", "lease/" + SI, List.of(
                "lease-renew-secret " + Base64.getEncoder().encodeToString(LEASE.renew())), new byte[0]);
        assertThat(missing.statusCode()).isEqualTo(400);
        HttpResponse<byte[]> shortSecret = raw("PUT", "lease/" + SI, List.of(
                "lease-renew-secret " + Base64.getEncoder().encodeToString(new byte[5]),
                "lease-cancel-secret " + Base64.getEncoder().encodeToString(LEASE.cancel())), new byte[0]);
        assertThat(shortSecret.statusCode()).isEqualTo(400);
        HttpResponse<byte[]> notCbor = raw("POST", "immutable/" + SI, List.of(
                "lease-renew-secret " + Base64.getEncoder().encodeToString(LEASE.renew()),
                "lease-cancel-secret " + Base64.getEncoder().encodeToString(LEASE.cancel()),
                "upload-secret " + Base64.getEncoder().encodeToString(UPLOAD_SECRET)), "garbage".getBytes());
        assertThat(notCbor.statusCode()).isEqualTo(400);
    }

    @Test
    void theWireFormatsAreTahoes() throws Exception {
        server();
        HttpResponse<byte[]> version = raw("GET", "version", List.of(), null);
        assertThat(version.statusCode()).isEqualTo(200);
        assertThat(version.headers().firstValue("Content-Type")).contains("application/cbor");
        // Tahoe's version message uses byte-string keys; 0x58 0x30 is a 48-byte bstr: the v1 protocol URL.
        assertThat(version.body()[1]).isEqualTo((byte) 0x58);
        assertThat(StorageWire.decodeVersion(version.body()).availableSpace()).isPositive();
        HttpResponse<byte[]> shares = raw("GET", "immutable/" + SI + "/shares", List.of(), null);
        // An empty set: tag 258 (0xd9 0x01 0x02) around an empty array (0x80).
        assertThat(shares.body()).containsExactly(0xd9, 0x01, 0x02, 0x80);
        HttpResponse<byte[]> noRange = raw("GET", "immutable/" + SI + "/0", List.of(), null);
        assertThat(noRange.statusCode()).isEqualTo(404);
    }

    @Test
    void moreVectorsThanTheSpecificationAllowsAreRefused() throws Exception {
        StorageServer server = server();
        List<org.lafsfs.core.storage.ReadVector> reads = new java.util.ArrayList<>();
        for (int i = 0; i < 31; i++) {
            reads.add(new org.lafsfs.core.storage.ReadVector(0, 10));
        }
        assertThatThrownBy(() -> join(server.readTestWrite(SI, WRITE_ENABLER, LEASE, java.util.Map.of(), reads)))
                .isInstanceOf(StorageException.BadRequest.class).hasMessageContaining("30");
    }

    @Test
    void aChunkedRequestBodyIsAcceptedToo() throws Exception {
        server();
        byte[] body = StorageWire.encodeAllocateRequest(Set.of(3), 10);
        HttpResponse<byte[]> r = raw("POST", "immutable/" + SI, List.of(
                "lease-renew-secret " + Base64.getEncoder().encodeToString(LEASE.renew()),
                "lease-cancel-secret " + Base64.getEncoder().encodeToString(LEASE.cancel()),
                "upload-secret " + Base64.getEncoder().encodeToString(UPLOAD_SECRET)), body, true);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(StorageWire.decodeAllocation(r.body()).allocated()).containsExactly(3);
    }

    @Test
    void anAbortAfterCompletionIsNotAllowed() throws Exception {
        StorageServer server = server();
        join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(0), 4));
        join(server.writeImmutable(SI, 0, UPLOAD_SECRET, 0, new byte[4]));
        HttpResponse<byte[]> abort = raw("PUT", "immutable/" + SI + "/0/abort",
                List.of("upload-secret " + Base64.getEncoder().encodeToString(UPLOAD_SECRET)), new byte[0]);
        assertThat(abort.statusCode()).isEqualTo(405);
        assertThat(join(server.listImmutableShares(SI))).containsExactly(0);
    }

    @Test
    void theIdentityIsKeptAcrossRestartsAndNeverSilentlyReplaced() throws Exception {
        ServerIdentity first = ServerIdentity.loadOrCreate(dir.resolve("id"));
        ServerIdentity second = ServerIdentity.loadOrCreate(dir.resolve("id"));
        assertThat(second.spkiHash()).isEqualTo(first.spkiHash());
        assertThat(second.swissnum()).isEqualTo(first.swissnum());
        assertThat(second.tubId()).hasSize(20).isEqualTo(first.tubId());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(
                dir.resolve("id").resolve(ServerIdentity.KEY_FILE)))).isEqualTo("rw-------");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(
                dir.resolve("id")))).isEqualTo("rwx------");
        java.nio.file.Files.delete(dir.resolve("id").resolve(ServerIdentity.SWISSNUM_FILE));
        assertThatThrownBy(() -> ServerIdentity.loadOrCreate(dir.resolve("id")))
                .hasMessageContaining("incomplete");
    }

    /** A request as any HTTP client would send it, with the right swissnum and no certificate checks. */
    private HttpResponse<byte[]> raw(String method, String path, List<String> secrets, byte[] body) throws Exception {
        return raw(method, path, secrets, body, false);
    }

    private HttpResponse<byte[]> raw(String method, String path, List<String> secrets, byte[] body, boolean chunked)
            throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new X509ExtendedTrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) { }

            public void checkServerTrusted(X509Certificate[] c, String a) { }

            public void checkClientTrusted(X509Certificate[] c, String a, Socket s) { }

            public void checkServerTrusted(X509Certificate[] c, String a, Socket s) { }

            public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) { }

            public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) { }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + http.port()
                + "/storage/v1/" + path))
                .header("Authorization", "Tahoe-LAFS " + Base64.getEncoder().encodeToString(
                        IDENTITY.swissnum().getBytes()))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null && body.length > 0) {
            b.header("Content-Type", "application/cbor");
        }
        for (String s : secrets) {
            b.header("X-Tahoe-Authorization", s);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
