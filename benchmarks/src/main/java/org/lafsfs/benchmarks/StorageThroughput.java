package org.lafsfs.benchmarks;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.storage.HttpStorageClient;
import org.lafsfs.core.storage.LeaseSecrets;
import org.lafsfs.core.storage.StorageServer;
import org.lafsfs.storage.HttpStorageServer;
import org.lafsfs.storage.ServerIdentity;
import org.lafsfs.storage.StorageBackend;

/**
 * Storage-protocol throughput over loopback TLS beside raw TLS throughput in
 * the same run: the same key, the same number of concurrent streams, the same
 * 128 KiB pieces. The protocol's cost is the ratio between the two.
 *
 * <p>Run with {@code benchmarks/run storage} (arguments: MiB per stream, streams).
 */
public final class StorageThroughput {
    private static final int CHUNK = 128 * 1024;
    /** Tahoe's uploader queues share writes into ~1 MB PATCHes (layout.py, batch_size); eight blocks here. */
    private static final int BATCH = 8 * CHUNK;
    /** Small uploads and reads made before measuring, each: enough for the JIT to finish the request path. */
    private static final int WARM_REQUESTS = 40_000;

    public static void main(String[] args) throws Exception {
        int mibPerStream = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int streams = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        long bytesPerStream = (long) mibPerStream << 20;
        // Shares go to memory (/dev/shm) when it exists, so that the numbers are the protocol's, not the
        // disk's: completing a share fsyncs it, which on a disk costs as much as the transfer.
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "lafsfs-bench")
                : Files.createTempDirectory("lafsfs-bench");
        ServerIdentity identity = ServerIdentity.loadOrCreate(dir.resolve("server"));
        StorageBackend backend = new StorageBackend(dir.resolve("storage"), identity.tubId(), 0, Clock.systemUTC());
        ExecutorService pool = Executors.newFixedThreadPool(streams * 2);
        byte[] chunk = new byte[CHUNK];
        new Random(1).nextBytes(chunk);
        try (HttpStorageServer server = HttpStorageServer.start(backend, identity, "127.0.0.1", 0)) {
            StorageServer client = new HttpStorageClient(server.nurl());
            byte[] batch = new byte[BATCH];
            new Random(2).nextBytes(batch);
            // Warm up both paths, then measure: a storage server runs for days, so the figures wanted are
            // those of its compiled request path. HotSpot compiles a method fully after some ten thousand
            // calls, and recompiles it when a later call takes a branch the earlier ones never did (a body of
            // many chunks after small ones); measured cold, a quarter of the CPU went to the compiler. So:
            // many small requests first, then a whole unmeasured pass of every transfer, then the measured one.
            byte[] small = new byte[16 * 1024];
            long warmBytes = (long) WARM_REQUESTS / streams * small.length;
            upload(client, pool, streams, warmBytes, small, 100);
            read(client, pool, streams, warmBytes, small.length, 100);
            double[] figures = null;
            for (int pass = 0; pass < 2; pass++) {
                figures = new double[] {
                    upload(client, pool, streams, bytesPerStream, chunk, 2 * pass),
                    upload(client, pool, streams, bytesPerStream, batch, 2 * pass + 1),
                    read(client, pool, streams, bytesPerStream, CHUNK, 2 * pass),
                    read(client, pool, streams, bytesPerStream, BATCH, 2 * pass + 1),
                    rawTls(identity, pool, streams, bytesPerStream, chunk, true),
                    rawTls(identity, pool, streams, bytesPerStream, chunk, false)};
            }
            double up = figures[0];
            double upBatched = figures[1];
            double down = figures[2];
            double downBatched = figures[3];
            double rawUp = figures[4];
            double rawDown = figures[5];
            System.out.printf("storage protocol, %d streams x %d MiB of 128 KiB blocks, loopback TLS (MB/s)%n", streams,
                    mibPerStream);
            System.out.printf("%-48s %9s %9s %7s%n", "transfer", "protocol", "raw TLS", "ratio");
            row("upload, one PATCH per block", up, rawUp);
            row("upload, 8 blocks per PATCH (Tahoe batches ~1 MB)", upBatched, rawUp);
            row("download, one ranged GET per block", down, rawDown);
            row("download, 8 blocks per ranged GET", downBatched, rawDown);
        } finally {
            pool.shutdownNow();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0); // client connection pools hold no work, but need not be waited for
    }

    private static void row(String what, double protocol, double raw) {
        System.out.printf("%-48s %9.1f %9.1f %7.2f%n", what, protocol, raw, protocol / raw);
    }

    private static StorageIndex si(int stream, int round) {
        byte[] b = new byte[16];
        b[0] = (byte) stream;
        b[1] = (byte) round;
        b[2] = 42;
        return StorageIndex.of(b);
    }

    private static final LeaseSecrets LEASE = new LeaseSecrets(new byte[32], new byte[32]);
    private static final byte[] UPLOAD_SECRET = new byte[32];

    /** MB/s of share data written by {@code streams} concurrent uploads, one PATCH per {@code chunk}. */
    private static double upload(StorageServer client, ExecutorService pool, int streams, long bytes, byte[] chunk,
            int round) throws Exception {
        List<Callable<Void>> jobs = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            StorageIndex si = si(s, round);
            jobs.add(() -> {
                client.allocateBuckets(si, LEASE, UPLOAD_SECRET, Set.of(0), bytes).join();
                for (long at = 0; at < bytes; at += chunk.length) {
                    client.writeImmutable(si, 0, UPLOAD_SECRET, at, chunk).join();
                }
                return null;
            });
        }
        return timed(pool, jobs, streams * bytes);
    }

    /** MB/s of share data read back by {@code streams} concurrent readers in ranged reads of {@code piece} bytes. */
    private static double read(StorageServer client, ExecutorService pool, int streams, long bytes, int piece,
            int round) throws Exception {
        List<Callable<Void>> jobs = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            StorageIndex si = si(s, round);
            jobs.add(() -> {
                for (long at = 0; at < bytes; at += piece) {
                    if (client.readImmutable(si, 0, at, piece).join().length != piece) {
                        throw new IllegalStateException("short read");
                    }
                }
                return null;
            });
        }
        return timed(pool, jobs, streams * bytes);
    }

    /** MB/s through {@code streams} plain TLS connections with the same key, in 128 KiB writes. */
    private static double rawTls(ServerIdentity identity, ExecutorService pool, int streams, long bytes,
            byte[] chunk, boolean clientSends) throws Exception {
        SSLContext serverTls = identity.sslContext();
        SSLContext clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, new TrustManager[] {new TrustAny()}, null);
        try (SSLServerSocket listener = (SSLServerSocket) serverTls.getServerSocketFactory()
                .createServerSocket(0, streams, InetAddress.getLoopbackAddress())) {
            List<Future<?>> servers = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                servers.add(pool.submit(() -> {
                    try (Socket socket = listener.accept()) {
                        pump(socket, bytes, chunk, !clientSends);
                    }
                    return null;
                }));
            }
            List<Callable<Void>> clients = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                clients.add(() -> {
                    try (SSLSocket socket = (SSLSocket) clientTls.getSocketFactory()
                            .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                        socket.startHandshake();
                        pump(socket, bytes, chunk, clientSends);
                    }
                    return null;
                });
            }
            ExecutorService clientPool = Executors.newFixedThreadPool(streams);
            double rate;
            try {
                rate = timed(clientPool, clients, streams * bytes);
            } finally {
                clientPool.shutdownNow();
            }
            for (Future<?> f : servers) {
                f.get();
            }
            return rate;
        }
    }

    /** Sends or receives {@code bytes} bytes; the receiver acknowledges the end with one byte. */
    private static void pump(Socket socket, long bytes, byte[] chunk, boolean send) throws Exception {
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        if (send) {
            for (long at = 0; at < bytes; at += chunk.length) {
                out.write(chunk);
            }
            out.flush();
            if (in.read() != 1) {
                throw new IllegalStateException("no acknowledgement");
            }
        } else {
            byte[] buffer = new byte[chunk.length];
            long left = bytes;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IllegalStateException("stream ended early");
                }
                left -= n;
            }
            out.write(1);
            out.flush();
        }
    }

    private static double timed(ExecutorService pool, List<Callable<Void>> jobs, long totalBytes) throws Exception {
        long start = System.nanoTime();
        for (Future<Void> f : pool.invokeAll(jobs)) {
            f.get();
        }
        return totalBytes / ((System.nanoTime() - start) / 1e9) / 1e6;
    }

    private static final class TrustAny extends X509ExtendedTrustManager {
        public void checkClientTrusted(X509Certificate[] c, String a) { }

        public void checkServerTrusted(X509Certificate[] c, String a) { }

        public void checkClientTrusted(X509Certificate[] c, String a, Socket s) { }

        public void checkServerTrusted(X509Certificate[] c, String a, Socket s) { }

        public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) { }

        public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) { }

        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
