package org.lafsfs.core.storage;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import org.lafsfs.core.cap.StorageIndex;

/**
 * A storage server reached over Tahoe's HTTPS storage protocol. The server is
 * authenticated by the SPKI hash in its NURL, requests carry its swissnum, and
 * every HTTP or transport failure becomes a typed {@link StorageException}.
 * Connections are kept alive and reused; requests run concurrently.
 */
public final class HttpStorageClient implements StorageServer {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final Nurl nurl;
    private final String name;
    private final URI base;
    private final HttpClient http;
    private final String authorization;
    private final Duration timeout;

    public HttpStorageClient(Nurl nurl) {
        this(nurl, nurl.locations().get(0).toString(), DEFAULT_TIMEOUT);
    }

    public HttpStorageClient(Nurl nurl, String name, Duration timeout) {
        this.nurl = nurl;
        this.name = name;
        this.timeout = timeout;
        this.base = URI.create("https://" + nurl.locations().get(0) + "/storage/v1/");
        this.authorization = "Tahoe-LAFS "
                + Base64.getEncoder().encodeToString(nurl.swissnum().getBytes(StandardCharsets.US_ASCII));
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new SpkiPinningTrustManager(nurl.spkiHash())}, new SecureRandom());
            this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                    .connectTimeout(timeout).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available", e);
        }
    }

    public Nurl nurl() {
        return nurl;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<ServerVersion> version() {
        return send(request("version").GET(), Set.of(200)).thenApply(r -> StorageWire.decodeVersion(r.body()));
    }

    @Override
    public CompletableFuture<Allocation> allocateBuckets(StorageIndex si, LeaseSecrets lease, byte[] uploadSecret,
            Set<Integer> shareNumbers, long allocatedSize) {
        HttpRequest.Builder b = cbor(request("immutable/" + si),
                StorageWire.encodeAllocateRequest(shareNumbers, allocatedSize), "POST");
        leaseSecrets(b, lease);
        secret(b, "upload-secret", uploadSecret);
        return send(b, Set.of(200)).thenApply(r -> StorageWire.decodeAllocation(r.body()));
    }

    @Override
    public CompletableFuture<UploadProgress> writeImmutable(StorageIndex si, int shareNumber, byte[] uploadSecret,
            long offset, byte[] data) {
        HttpRequest.Builder b = request("immutable/" + si + "/" + shareNumber)
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(data))
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", "bytes " + offset + "-" + (offset + data.length - 1) + "/*");
        secret(b, "upload-secret", uploadSecret);
        return send(b, Set.of(200, 201)).thenApply(r -> new UploadProgress(r.statusCode() == 201,
                r.body().length == 0 ? List.of() : StorageWire.decodeRequired(r.body())));
    }

    @Override
    public CompletableFuture<Void> abortImmutable(StorageIndex si, int shareNumber, byte[] uploadSecret) {
        HttpRequest.Builder b = request("immutable/" + si + "/" + shareNumber + "/abort")
                .PUT(HttpRequest.BodyPublishers.noBody());
        secret(b, "upload-secret", uploadSecret);
        return send(b, Set.of(200)).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<Set<Integer>> listImmutableShares(StorageIndex si) {
        return send(request("immutable/" + si + "/shares").GET(), Set.of(200))
                .thenApply(r -> StorageWire.decodeShareSet(r.body()));
    }

    @Override
    public CompletableFuture<byte[]> readImmutable(StorageIndex si, int shareNumber, long offset, int length) {
        return readRange("immutable/" + si + "/" + shareNumber, offset, length);
    }

    @Override
    public CompletableFuture<Void> adviseCorruptImmutable(StorageIndex si, int shareNumber, String reason) {
        return send(cbor(request("immutable/" + si + "/" + shareNumber + "/corrupt"),
                StorageWire.encodeCorruption(reason), "POST"), Set.of(200)).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<Void> addOrRenewLease(StorageIndex si, LeaseSecrets lease) {
        HttpRequest.Builder b = request("lease/" + si).PUT(HttpRequest.BodyPublishers.noBody());
        leaseSecrets(b, lease);
        return send(b, Set.of(204)).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<ReadTestWriteResult> readTestWrite(StorageIndex si, byte[] writeEnabler,
            LeaseSecrets lease, Map<Integer, TestWriteVectors> vectors, List<ReadVector> readVector) {
        HttpRequest.Builder b = cbor(request("mutable/" + si + "/read-test-write"),
                StorageWire.encodeReadTestWrite(vectors, readVector), "POST");
        secret(b, "write-enabler", writeEnabler);
        leaseSecrets(b, lease);
        return send(b, Set.of(200)).thenApply(r -> StorageWire.decodeReadTestWriteResult(r.body()));
    }

    @Override
    public CompletableFuture<Set<Integer>> listMutableShares(StorageIndex si) {
        return send(request("mutable/" + si + "/shares").GET(), Set.of(200))
                .thenApply(r -> StorageWire.decodeShareSet(r.body()));
    }

    @Override
    public CompletableFuture<byte[]> readMutable(StorageIndex si, int shareNumber, long offset, int length) {
        return readRange("mutable/" + si + "/" + shareNumber, offset, length);
    }

    @Override
    public CompletableFuture<Void> adviseCorruptMutable(StorageIndex si, int shareNumber, String reason) {
        return send(cbor(request("mutable/" + si + "/" + shareNumber + "/corrupt"),
                StorageWire.encodeCorruption(reason), "POST"), Set.of(200)).thenApply(r -> null);
    }

    private CompletableFuture<byte[]> readRange(String path, long offset, int length) {
        if (length == 0) {
            return CompletableFuture.completedFuture(new byte[0]);
        }
        HttpRequest.Builder b = request(path).GET()
                .header("Range", "bytes=" + offset + "-" + (offset + length - 1));
        return send(b, Set.of(200, 204, 206)).thenApply(r -> r.statusCode() == 204 ? new byte[0] : r.body());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).header("Authorization", authorization)
                .header("Accept", StorageWire.CBOR);
    }

    private static HttpRequest.Builder cbor(HttpRequest.Builder b, byte[] body, String method) {
        return b.header("Content-Type", StorageWire.CBOR).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private static void leaseSecrets(HttpRequest.Builder b, LeaseSecrets lease) {
        secret(b, "lease-renew-secret", lease.renew());
        secret(b, "lease-cancel-secret", lease.cancel());
    }

    private static void secret(HttpRequest.Builder b, String kind, byte[] value) {
        b.header("X-Tahoe-Authorization", kind + " " + Base64.getEncoder().encodeToString(value));
    }

    private CompletableFuture<HttpResponse<byte[]>> send(HttpRequest.Builder builder, Set<Integer> expected) {
        HttpRequest request = builder.build();
        String what = request.method() + " " + request.uri().getPath();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw transportFailure(what, failure);
                    }
                    if (!expected.contains(response.statusCode())) {
                        throw statusFailure(what, response);
                    }
                    return response;
                });
    }

    private StorageException transportFailure(String what, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof CertificateException) {
                return new StorageException.WrongServer(name + ": " + t.getMessage(), cause);
            }
        }
        String reason = cause instanceof HttpTimeoutException ? "did not answer within " + timeout.toSeconds() + " s"
                : cause instanceof ConnectException ? "refused the connection"
                : cause instanceof SSLHandshakeException ? "failed the TLS handshake (" + cause.getMessage() + ")"
                : cause instanceof IOException ? "dropped the connection (" + cause.getMessage() + ")"
                : cause.toString();
        return new StorageException.ServerUnreachable("storage server " + name + " " + reason + " during " + what,
                cause);
    }

    private StorageException statusFailure(String what, HttpResponse<byte[]> response) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        String detail = body.isBlank() || body.length() > 300 || !isText(body) ? "" : ": " + body.strip();
        String message = "storage server " + name + " answered " + response.statusCode() + " to " + what + detail;
        return switch (response.statusCode()) {
            case 401 -> new StorageException.Unauthorized(message);
            case 404 -> new StorageException.NotFound(message);
            case 409 -> new StorageException.Conflict(message);
            case 507 -> new StorageException.ServerFull(message);
            case 400, 405, 416 -> new StorageException.BadRequest(message);
            default -> new StorageException(message);
        };
    }

    private static boolean isText(String s) {
        return s.chars().allMatch(c -> c >= 32 || c == '\n' || c == '\t');
    }
}
