package org.lafsfs.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.storage.LeaseSecrets;
import org.lafsfs.core.storage.Nurl;
import org.lafsfs.core.storage.StorageException;
import org.lafsfs.core.storage.StorageWire;
import org.lafsfs.core.storage.UploadProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tahoe's HTTPS storage protocol ("Great Black Swamp") in front of a
 * {@link StorageBackend}: TLS with the server's own certificate, the swissnum
 * in {@code Authorization}, per-operation secrets in
 * {@code X-Tahoe-Authorization}, CBOR bodies, ranged reads. Listens on the
 * port it is given, 0 meaning any free one; {@link #nurl()} tells where.
 */
public final class HttpStorageServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpStorageServer.class);
    /** Largest CBOR request body accepted (read-test-write carries whole SDMF shares). */
    static final int MAX_CBOR_BODY = 256 * 1024 * 1024;
    static final int MAX_SMALL_BODY = 64 * 1024;
    static final int MAX_CHUNK = 64 * 1024 * 1024;
    private static final int READ_PIECE = 1024 * 1024;

    private static final Pattern ROUTE = Pattern.compile(
            "^/storage/v1/(version|lease|immutable|mutable)(?:/([a-z2-7]{26})(?:/(shares|read-test-write|[0-9]{1,3})"
                    + "(?:/(abort|corrupt))?)?)?$");

    private enum Secret {
        LEASE_RENEW("lease-renew-secret", 32), LEASE_CANCEL("lease-cancel-secret", 32),
        UPLOAD("upload-secret", -1), WRITE_ENABLER("write-enabler", 32);

        final String header;
        final int length;

        Secret(String header, int length) {
            this.header = header;
            this.length = length;
        }
    }

    private final StorageBackend backend;
    private final ServerIdentity identity;
    private final Server jetty;
    private final ServerConnector connector;
    private final byte[] expectedAuthorization;

    private HttpStorageServer(StorageBackend backend, ServerIdentity identity, String host, int port) {
        this.backend = backend;
        this.identity = identity;
        this.expectedAuthorization = ("Tahoe-LAFS " + Base64.getEncoder()
                .encodeToString(identity.swissnum().getBytes(StandardCharsets.US_ASCII)))
                .getBytes(StandardCharsets.US_ASCII);
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("storage-http");
        this.jetty = new Server(threads);
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setSslContext(identity.sslContext());
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.addCustomizer(new SecureRequestCustomizer(false)); // clients dial by address; no SNI host check
        // Heap buffers throughout: the JDK 17 AES-GCM code takes a slow, non-intrinsic path on direct buffers
        // (its GHASH runs as plain Java there), and TLS needs a copy anyway.
        SslConnectionFactory ssl = new SslConnectionFactory(tls, "http/1.1");
        ssl.setDirectBuffersForEncryption(false);
        ssl.setDirectBuffersForDecryption(false);
        config.setUseInputDirectByteBuffers(false);
        config.setUseOutputDirectByteBuffers(false);
        HttpConnectionFactory http = new HttpConnectionFactory(config);
        this.connector = new ServerConnector(jetty, ssl, http);
        connector.setHost(host);
        connector.setPort(port);
        jetty.addConnector(connector);
        jetty.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                serve(request, response, callback);
                return true;
            }
        });
    }

    /** Starts a server; {@code port} 0 picks a free port. */
    public static HttpStorageServer start(StorageBackend backend, ServerIdentity identity, String host, int port)
            throws IOException {
        HttpStorageServer server = new HttpStorageServer(backend, identity, host, port);
        try {
            server.jetty.start();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        LOG.info("storage server listening at {}", server.nurl());
        return server;
    }

    public int port() {
        return connector.getLocalPort();
    }

    public String host() {
        return connector.getHost();
    }

    public StorageBackend backend() {
        return backend;
    }

    public ServerIdentity identity() {
        return identity;
    }

    public Nurl nurl() {
        return new Nurl(identity.spkiHash(), List.of(new Nurl.HostPort(host(), port())), identity.swissnum());
    }

    /** The Foolscap-style FURL whose tub id Tahoe clients derive write enablers from. */
    public String furl() {
        return "pb://" + Base32.encode(identity.tubId()) + "@tcp:" + host() + ":" + port() + "/"
                + identity.swissnum();
    }

    /** The announcement a Tahoe client needs (as in private/servers.yaml), keyed by this server's id. */
    public Map<String, Object> announcement(String nickname) {
        Map<String, Object> ann = new LinkedHashMap<>();
        ann.put("nickname", nickname);
        ann.put("anonymous-storage-FURL", furl());
        ann.put("anonymous-storage-NURLs", List.of(nurl().toString()));
        ann.put("permutation-seed-base32", Base32.encode(identity.spkiHash()));
        return ann;
    }

    /** The server id Tahoe would list this server under: v0- and its permutation seed. */
    public String serverId() {
        return "v0-" + Base32.encode(identity.spkiHash());
    }

    @Override
    public void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("stopping the storage server: {}", e.toString());
        }
    }

    // ---- request handling ----

    private void serve(Request request, Response response, Callback callback) {
        try {
            byte[] auth = String.valueOf(request.getHeaders().get(HttpHeader.AUTHORIZATION))
                    .getBytes(StandardCharsets.US_ASCII);
            if (!MessageDigest.isEqual(auth, expectedAuthorization)) {
                reply(response, callback, 401, "text/plain", bytes("missing or wrong swissnum"));
                return;
            }
            Matcher m = ROUTE.matcher(Request.getPathInContext(request));
            if (!m.matches()) {
                reply(response, callback, 404, "text/plain", bytes("no such endpoint"));
                return;
            }
            route(request, response, callback, m.group(1), m.group(2) == null ? null : StorageIndex.parse(m.group(2)),
                    m.group(3), m.group(4));
        } catch (StorageException e) {
            reply(response, callback, status(e), "text/plain", bytes(e.getMessage()));
        } catch (IllegalArgumentException e) {
            reply(response, callback, 400, "text/plain", bytes(String.valueOf(e.getMessage())));
        } catch (IOException | RuntimeException e) {
            LOG.error("storage request {} {} failed", request.getMethod(), request.getHttpURI().getPath(), e);
            reply(response, callback, 500, "text/plain", bytes("internal error"));
        }
    }

    private void route(Request request, Response response, Callback callback, String area, StorageIndex si,
            String item, String action) throws IOException {
        String method = request.getMethod();
        if (area.equals("version") && si == null && method.equals("GET")) {
            cbor(response, callback, 200, StorageWire.encodeVersion(backend.version()));
        } else if (area.equals("lease") && si != null && item == null && method.equals("PUT")) {
            Map<Secret, byte[]> s = secrets(request, EnumSet.of(Secret.LEASE_RENEW, Secret.LEASE_CANCEL));
            backend.addOrRenewLease(si, lease(s));
            reply(response, callback, 204, null, new byte[0]);
        } else if (area.equals("immutable") && si != null) {
            immutable(request, response, callback, si, item, action, method);
        } else if (area.equals("mutable") && si != null) {
            mutable(request, response, callback, si, item, action, method);
        } else {
            reply(response, callback, 405, "text/plain", bytes(method + " is not allowed here"));
        }
    }

    private void immutable(Request request, Response response, Callback callback, StorageIndex si, String item,
            String action, String method) throws IOException {
        if (item == null && method.equals("POST")) {
            Map<Secret, byte[]> s = secrets(request, EnumSet.of(Secret.LEASE_RENEW, Secret.LEASE_CANCEL, Secret.UPLOAD));
            StorageWire.AllocateRequest a = StorageWire.decodeAllocateRequest(body(request, MAX_SMALL_BODY));
            cbor(response, callback, 200, StorageWire.encodeAllocation(backend.allocateBuckets(si, lease(s),
                    s.get(Secret.UPLOAD), a.shareNumbers(), a.allocatedSize())));
        } else if ("shares".equals(item) && action == null && method.equals("GET")) {
            cbor(response, callback, 200, StorageWire.encodeShareSet(backend.listImmutableShares(si)));
        } else if (isShare(item) && action == null && method.equals("GET")) {
            int shnum = Integer.parseInt(item);
            readShare(request, response, callback, backend.shareLength(si, shnum, false),
                    (offset, length) -> backend.readImmutable(si, shnum, offset, length));
        } else if (isShare(item) && action == null && method.equals("PATCH")) {
            Map<Secret, byte[]> s = secrets(request, EnumSet.of(Secret.UPLOAD));
            long[] range = contentRange(request);
            byte[] data = body(request, MAX_CHUNK);
            if (data.length != range[1] - range[0]) {
                throw new StorageException.BadRequest("Content-Range says " + (range[1] - range[0]) + " bytes, body has "
                        + data.length);
            }
            UploadProgress p = backend.writeImmutable(si, Integer.parseInt(item), s.get(Secret.UPLOAD), range[0], data);
            cbor(response, callback, p.complete() ? 201 : 200, StorageWire.encodeRequired(p.required()));
        } else if (isShare(item) && "abort".equals(action) && method.equals("PUT")) {
            Map<Secret, byte[]> s = secrets(request, EnumSet.of(Secret.UPLOAD));
            try {
                backend.abortImmutable(si, Integer.parseInt(item), s.get(Secret.UPLOAD));
            } catch (StorageException.BadRequest e) {
                reply(response, callback, 405, "text/plain", bytes(e.getMessage()));
                return;
            }
            reply(response, callback, 200, null, new byte[0]);
        } else if (isShare(item) && "corrupt".equals(action) && method.equals("POST")) {
            backend.adviseCorrupt(si, Integer.parseInt(item), false,
                    StorageWire.decodeCorruption(body(request, MAX_SMALL_BODY)));
            reply(response, callback, 200, null, new byte[0]);
        } else {
            reply(response, callback, 405, "text/plain", bytes(method + " is not allowed here"));
        }
    }

    private void mutable(Request request, Response response, Callback callback, StorageIndex si, String item,
            String action, String method) throws IOException {
        if ("read-test-write".equals(item) && action == null && method.equals("POST")) {
            Map<Secret, byte[]> s = secrets(request,
                    EnumSet.of(Secret.LEASE_RENEW, Secret.LEASE_CANCEL, Secret.WRITE_ENABLER));
            StorageWire.ReadTestWriteRequest rtw = StorageWire.decodeReadTestWrite(body(request, MAX_CBOR_BODY));
            cbor(response, callback, 200, StorageWire.encodeReadTestWriteResult(backend.readTestWrite(si,
                    s.get(Secret.WRITE_ENABLER), lease(s), rtw.testWriteVectors(), rtw.readVector())));
        } else if ("shares".equals(item) && action == null && method.equals("GET")) {
            cbor(response, callback, 200, StorageWire.encodeShareSet(backend.listMutableShares(si)));
        } else if (isShare(item) && action == null && method.equals("GET")) {
            int shnum = Integer.parseInt(item);
            readShare(request, response, callback, backend.shareLength(si, shnum, true),
                    (offset, length) -> backend.readMutable(si, shnum, offset, length));
        } else if (isShare(item) && "corrupt".equals(action) && method.equals("POST")) {
            backend.adviseCorrupt(si, Integer.parseInt(item), true,
                    StorageWire.decodeCorruption(body(request, MAX_SMALL_BODY)));
            reply(response, callback, 200, null, new byte[0]);
        } else {
            reply(response, callback, 405, "text/plain", bytes(method + " is not allowed here"));
        }
    }

    private interface ShareReader {
        byte[] read(long offset, int length);
    }

    /** A whole share (200) or one closed byte range (206, short at the end; 204 if empty), streamed in pieces. */
    private void readShare(Request request, Response response, Callback callback, long shareLength,
            ShareReader reader) throws IOException {
        String range = request.getHeaders().get(HttpHeader.RANGE);
        long start = 0;
        long end = shareLength;
        if (range != null) {
            Matcher m = Pattern.compile("^bytes=([0-9]{1,18})-([0-9]{1,18})$").matcher(range.strip());
            if (!m.matches() || Long.parseLong(m.group(2)) < Long.parseLong(m.group(1))) {
                reply(response, callback, 416, "text/plain", bytes("only one closed byte range is supported"));
                return;
            }
            start = Long.parseLong(m.group(1));
            end = Math.min(Long.parseLong(m.group(2)) + 1, shareLength);
            if (start >= end) {
                reply(response, callback, 204, null, new byte[0]);
                return;
            }
            response.setStatus(206);
            response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes " + start + "-" + (end - 1) + "/*");
        } else {
            response.setStatus(200);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, end - start);
        // Once the headers are out, a failure can only cut the response short, not replace it.
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            for (long at = start; at < end; at += READ_PIECE) {
                out.write(reader.read(at, (int) Math.min(READ_PIECE, end - at)));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("reading a share failed mid-response: {}", e.toString());
            callback.failed(e);
            return;
        }
        callback.succeeded();
    }

    private static Map<Secret, byte[]> secrets(Request request, Set<Secret> required) {
        Map<Secret, byte[]> found = new EnumMap<>(Secret.class);
        for (String value : request.getHeaders().getValuesList("X-Tahoe-Authorization")) {
            String[] parts = value.strip().split(" ", 2);
            Secret kind = null;
            for (Secret s : Secret.values()) {
                if (s.header.equals(parts[0])) {
                    kind = s;
                }
            }
            if (kind == null || parts.length != 2) {
                throw new StorageException.BadRequest("unknown X-Tahoe-Authorization secret '" + parts[0] + "'");
            }
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(parts[1].strip());
            } catch (IllegalArgumentException e) {
                throw new StorageException.BadRequest(kind.header + " is not base64");
            }
            if (decoded.length == 0 || (kind.length > 0 && decoded.length != kind.length)) {
                throw new StorageException.BadRequest(kind.header + " must be " + Math.max(1, kind.length) + " bytes");
            }
            found.put(kind, decoded);
        }
        if (!found.keySet().equals(required)) {
            throw new StorageException.BadRequest("this request needs exactly the secrets " + required.stream()
                    .map(s -> s.header).toList() + " in X-Tahoe-Authorization");
        }
        return found;
    }

    private static LeaseSecrets lease(Map<Secret, byte[]> s) {
        return new LeaseSecrets(s.get(Secret.LEASE_RENEW), s.get(Secret.LEASE_CANCEL));
    }

    /** [start, end) from {@code Content-Range: bytes a-b/total-or-*}. */
    private static long[] contentRange(Request request) {
        String header = request.getHeaders().get(HttpHeader.CONTENT_RANGE);
        Matcher m = Pattern.compile("^bytes ([0-9]{1,18})-([0-9]{1,18})/([0-9]{1,18}|\\*)$")
                .matcher(header == null ? "" : header.strip());
        if (!m.matches() || Long.parseLong(m.group(2)) < Long.parseLong(m.group(1))) {
            throw new StorageException.BadRequest("a share write needs Content-Range: bytes <first>-<last>/<total or *>");
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) + 1};
    }

    private static byte[] body(Request request, int limit) throws IOException {
        long declared = request.getLength();
        if (declared > limit) {
            throw new StorageException.TooLarge("request body of " + declared + " bytes is over the " + limit
                    + "-byte limit");
        }
        // Chunks are copied once, on this thread: straight into an array of the declared size, or (for a
        // chunked body, rare: Tahoe's clients send Content-Length) into a growing buffer up to the limit.
        java.io.ByteArrayOutputStream unknown = declared < 0 ? new java.io.ByteArrayOutputStream() : null;
        byte[] body = declared < 0 ? null : new byte[(int) declared];
        int filled = 0;
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                java.util.concurrent.CompletableFuture<Void> ready = new java.util.concurrent.CompletableFuture<>();
                request.demand(() -> ready.complete(null));
                try {
                    ready.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while reading a request body", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IOException("reading a request body failed", e.getCause());
                }
                continue;
            }
            try {
                if (Content.Chunk.isFailure(chunk)) {
                    throw new IOException("reading a request body failed", chunk.getFailure());
                }
                ByteBuffer data = chunk.getByteBuffer();
                int n = data.remaining();
                if (unknown != null) {
                    if (unknown.size() + n > limit) {
                        throw new StorageException.TooLarge("request body is over the " + limit + "-byte limit");
                    }
                    byte[] piece = new byte[n];
                    data.get(piece);
                    unknown.writeBytes(piece);
                } else {
                    if (n > body.length - filled) {
                        throw new StorageException.BadRequest("request body is longer than its Content-Length");
                    }
                    data.get(body, filled, n);
                    filled += n;
                }
                if (chunk.isLast()) {
                    if (unknown != null) {
                        return unknown.toByteArray();
                    }
                    if (filled != body.length) {
                        throw new StorageException.BadRequest("request body is shorter than its Content-Length");
                    }
                    return body;
                }
            } finally {
                chunk.release();
            }
        }
    }

    private static boolean isShare(String item) {
        return item != null && Character.isDigit(item.charAt(0));
    }

    private static int status(StorageException e) {
        if (e instanceof StorageException.Unauthorized) {
            return 401;
        } else if (e instanceof StorageException.NotFound) {
            return 404;
        } else if (e instanceof StorageException.Conflict) {
            return 409;
        } else if (e instanceof StorageException.ServerFull) {
            return 507;
        } else if (e instanceof StorageException.TooLarge) {
            return 413;
        } else if (e instanceof StorageException.BadRequest) {
            return 400;
        }
        LOG.error("storage failure", e);
        return 500;
    }

    private static void cbor(Response response, Callback callback, int status, byte[] body) {
        reply(response, callback, status, StorageWire.CBOR, body);
    }

    private static void reply(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        if (status == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Tahoe-LAFS");
        }
        if (type != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
