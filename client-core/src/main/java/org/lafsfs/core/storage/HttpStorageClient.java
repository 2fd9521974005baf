package org.lafsfs.core.storage;

import java.io.IOException;
import java.net.ConnectException;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.ssl.SslClientConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.lafsfs.core.cap.StorageIndex;

/**
 * A storage server reached over Tahoe's HTTPS storage protocol. The server is
 * authenticated by the SPKI hash in its NURL, requests carry its swissnum, and
 * every HTTP or transport failure becomes a typed {@link StorageException}.
 * Connections are kept alive and reused; requests run concurrently. Built on
 * Jetty's HTTP client (the JDK's took about 2 ms per loopback request here,
 * which capped share transfers far below TLS speed). Clients share one
 * daemon thread pool; {@link #close()} releases a client's connections.
 */
public final class HttpStorageClient implements StorageServer, AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_RESPONSE = 256 * 1024 * 1024;
    private static final QueuedThreadPool SHARED_THREADS = sharedThreads();

    private final Nurl nurl;
    private final String name;
    private final String base;
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
        this.base = "https://" + nurl.locations().get(0) + "/storage/v1/";
        this.authorization = "Tahoe-LAFS "
                + Base64.getEncoder().encodeToString(nurl.swissnum().getBytes(StandardCharsets.US_ASCII));
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new SpkiPinningTrustManager(nurl.spkiHash())}, new SecureRandom());
            SslContextFactory.Client sslFactory = new SslContextFactory.Client();
            sslFactory.setSslContext(tls);
            sslFactory.setEndpointIdentificationAlgorithm(null); // the SPKI pin is the identity, not a host name
            ClientConnector connector = new HeapBufferClientConnector();
            connector.setSslContextFactory(sslFactory);
            connector.setSelectors(1);
            connector.setExecutor(SHARED_THREADS);
            connector.setConnectTimeout(timeout);
            this.http = new HttpClient(new HttpClientTransportOverHTTP(connector));
            http.setExecutor(SHARED_THREADS);
            // Daemon timer threads too: an idle client must never keep a finished program alive.
            http.setScheduler(new org.eclipse.jetty.util.thread.ScheduledExecutorScheduler(
                    "storage-client-timer", true));
            // Heap buffers for HTTP as well as TLS (see HeapBufferClientConnector).
            http.setUseInputDirectByteBuffers(false);
            http.setUseOutputDirectByteBuffers(false);
            http.setFollowRedirects(false);
            http.getProtocolHandlers().clear(); // a 401 is an answer to report, not an auth challenge to negotiate
            http.setUserAgentField(null);
            http.setMaxConnectionsPerDestination(32);
            http.setMaxRequestsQueuedPerDestination(4096);
            http.start();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP client for " + name + ": " + e, e);
        }
    }

    /** Heap buffers for TLS too: JDK 17's AES-GCM runs its slow Java GHASH on direct buffers (5x slower here). */
    private static final class HeapBufferClientConnector extends ClientConnector {
        @Override
        public ClientConnectionFactory newSslClientConnectionFactory(SslContextFactory.Client factory,
                ClientConnectionFactory next) {
            ClientConnectionFactory ssl = super.newSslClientConnectionFactory(factory, next);
            if (ssl instanceof SslClientConnectionFactory s) {
                s.setDirectBuffersForEncryption(false);
                s.setDirectBuffersForDecryption(false);
            }
            return ssl;
        }
    }

    private static QueuedThreadPool sharedThreads() {
        // Each client keeps one selector thread from this pool while open; close clients no longer needed.
        QueuedThreadPool pool = new QueuedThreadPool(512, 2);
        pool.setName("storage-client");
        pool.setDaemon(true);
        try {
            pool.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return pool;
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the HTTP client for " + name, e);
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
        return send(request("version", "GET"), Set.of(200)).thenApply(r -> StorageWire.decodeVersion(r.getContent()));
    }

    @Override
    public CompletableFuture<Allocation> allocateBuckets(StorageIndex si, LeaseSecrets lease, byte[] uploadSecret,
            Set<Integer> shareNumbers, long allocatedSize) {
        Request b = cbor(request("immutable/" + si, "POST"),
                StorageWire.encodeAllocateRequest(shareNumbers, allocatedSize));
        leaseSecrets(b, lease);
        secret(b, "upload-secret", uploadSecret);
        return send(b, Set.of(200)).thenApply(r -> StorageWire.decodeAllocation(r.getContent()));
    }

    @Override
    public CompletableFuture<UploadProgress> writeImmutable(StorageIndex si, int shareNumber, byte[] uploadSecret,
            long offset, byte[] data) {
        return writeImmutable(si, shareNumber, uploadSecret, offset, List.of(data));
    }

    /** The pieces go out as they are, one request body, no joined copy. */
    @Override
    public CompletableFuture<UploadProgress> writeImmutable(StorageIndex si, int shareNumber, byte[] uploadSecret,
            long offset, List<byte[]> pieces) {
        long length = 0;
        for (byte[] p : pieces) {
            length += p.length;
        }
        long last = offset + length - 1;
        Request b = request("immutable/" + si + "/" + shareNumber, "PATCH")
                .body(new BytesRequestContent("application/octet-stream", pieces.toArray(byte[][]::new)))
                .headers(h -> h.put("Content-Range", "bytes " + offset + "-" + last + "/*"));
        secret(b, "upload-secret", uploadSecret);
        return send(b, Set.of(200, 201)).thenApply(r -> new UploadProgress(r.getStatus() == 201,
                r.getContent().length == 0 ? List.of() : StorageWire.decodeRequired(r.getContent())));
    }

    @Override
    public CompletableFuture<Void> abortImmutable(StorageIndex si, int shareNumber, byte[] uploadSecret) {
        Request b = request("immutable/" + si + "/" + shareNumber + "/abort", "PUT");
        secret(b, "upload-secret", uploadSecret);
        return send(b, Set.of(200)).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<Set<Integer>> listImmutableShares(StorageIndex si) {
        return send(request("immutable/" + si + "/shares", "GET"), Set.of(200))
                .thenApply(r -> StorageWire.decodeShareSet(r.getContent()));
    }

    @Override
    public CompletableFuture<byte[]> readImmutable(StorageIndex si, int shareNumber, long offset, int length) {
        return readRange("immutable/" + si + "/" + shareNumber, offset, length);
    }

    @Override
    public CompletableFuture<Void> adviseCorruptImmutable(StorageIndex si, int shareNumber, String reason) {
        return send(cbor(request("immutable/" + si + "/" + shareNumber + "/corrupt", "POST"),
                StorageWire.encodeCorruption(reason)), Set.of(200)).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<Void> addOrRenewLease(StorageIndex si, LeaseSecrets lease) {
        Request b = request("lease/" + si, "PUT");
        leaseSecrets(b, lease);
        return send(b, Set.of(204)).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<ReadTestWriteResult> readTestWrite(StorageIndex si, byte[] writeEnabler,
            LeaseSecrets lease, Map<Integer, TestWriteVectors> vectors, List<ReadVector> readVector) {
        Request b = cbor(request("mutable/" + si + "/read-test-write", "POST"),
                StorageWire.encodeReadTestWrite(vectors, readVector));
        secret(b, "write-enabler", writeEnabler);
        leaseSecrets(b, lease);
        return send(b, Set.of(200)).thenApply(r -> StorageWire.decodeReadTestWriteResult(r.getContent()));
    }

    @Override
    public CompletableFuture<Set<Integer>> listMutableShares(StorageIndex si) {
        return send(request("mutable/" + si + "/shares", "GET"), Set.of(200))
                .thenApply(r -> StorageWire.decodeShareSet(r.getContent()));
    }

    @Override
    public CompletableFuture<byte[]> readMutable(StorageIndex si, int shareNumber, long offset, int length) {
        return readRange("mutable/" + si + "/" + shareNumber, offset, length);
    }

    @Override
    public CompletableFuture<Void> adviseCorruptMutable(StorageIndex si, int shareNumber, String reason) {
        return send(cbor(request("mutable/" + si + "/" + shareNumber + "/corrupt", "POST"),
                StorageWire.encodeCorruption(reason)), Set.of(200)).thenApply(r -> null);
    }

    private CompletableFuture<byte[]> readRange(String path, long offset, int length) {
        if (length == 0) {
            return CompletableFuture.completedFuture(new byte[0]);
        }
        Request b = request(path, "GET").headers(h -> h.put("Range", "bytes=" + offset + "-" + (offset + length - 1)));
        return send(b, Set.of(200, 204, 206)).thenApply(r -> r.getStatus() == 204 ? new byte[0] : r.getContent());
    }

    private Request request(String path, String method) {
        return http.newRequest(base + path).method(method).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .headers(h -> h.put("Authorization", authorization).put("Accept", StorageWire.CBOR));
    }

    private static Request cbor(Request b, byte[] body) {
        return b.body(new BytesRequestContent(StorageWire.CBOR, body));
    }

    private static void leaseSecrets(Request b, LeaseSecrets lease) {
        secret(b, "lease-renew-secret", lease.renew());
        secret(b, "lease-cancel-secret", lease.cancel());
    }

    private static void secret(Request b, String kind, byte[] value) {
        b.headers(h -> h.add("X-Tahoe-Authorization", kind + " " + Base64.getEncoder().encodeToString(value)));
    }

    private CompletableFuture<ContentResponse> send(Request request, Set<Integer> expected) {
        String what = request.getMethod() + " " + request.getPath();
        return new CompletableResponseListener(request, MAX_RESPONSE).send()
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw transportFailure(what, failure);
                    }
                    if (!expected.contains(response.getStatus())) {
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
        String reason = cause instanceof TimeoutException ? "did not answer within " + timeout.toMillis() + " ms"
                : cause instanceof ConnectException ? "refused the connection"
                : cause instanceof SSLHandshakeException ? "failed the TLS handshake (" + cause.getMessage() + ")"
                : cause instanceof IOException ? "dropped the connection (" + cause.getMessage() + ")"
                : cause.toString();
        return new StorageException.ServerUnreachable("storage server " + name + " " + reason + " during " + what,
                cause);
    }

    private StorageException statusFailure(String what, ContentResponse response) {
        String body = new String(response.getContent(), StandardCharsets.UTF_8);
        String detail = body.isBlank() || body.length() > 300 || !isText(body) ? "" : ": " + body.strip();
        String message = "storage server " + name + " answered " + response.getStatus() + " to " + what + detail;
        return switch (response.getStatus()) {
            case 401 -> new StorageException.Unauthorized(message);
            case 404 -> new StorageException.NotFound(message);
            case 409 -> new StorageException.Conflict(message);
            case 507 -> new StorageException.ServerFull(message);
            case 413 -> new StorageException.TooLarge(message);
            case 400, 405, 416 -> new StorageException.BadRequest(message);
            default -> new StorageException(message);
        };
    }

    private static boolean isText(String s) {
        return s.chars().allMatch(c -> c >= 32 || c == '\n' || c == '\t');
    }
}
