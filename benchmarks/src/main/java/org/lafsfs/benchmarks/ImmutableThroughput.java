package org.lafsfs.benchmarks;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.crypto.AesCtr;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.fec.Zfec;
import org.lafsfs.core.grid.ClientSecrets;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.ChkReader;
import org.lafsfs.core.immutable.ChkUploader;
import org.lafsfs.core.immutable.EncodingParameters;
import org.lafsfs.core.immutable.UploadSource;
import org.lafsfs.core.storage.HttpStorageClient;
import org.lafsfs.storage.HttpStorageServer;
import org.lafsfs.storage.ServerIdentity;
import org.lafsfs.storage.StorageBackend;

/**
 * End to end: upload and download of one file through ten HTTPS storage servers on loopback, beside the
 * raw compute an upload cannot avoid (convergence hash, AES-CTR, crypttext hashes, 3-of-10 erasure coding,
 * block hashes) measured on the same data in the same run. Both sides are warmed up first (the JIT compiles
 * the hot paths), so the figures are a long-running lafsfs's. Run with {@code benchmarks/run immutable [MiB]}.
 */
public final class ImmutableThroughput {
    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "lafsfs-imm")
                : Files.createTempDirectory("lafsfs-imm");
        Path file = dir.resolve("file.bin");
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        try (var out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                block[0] = (byte) i;
                out.write(block);
            }
        }
        List<HttpStorageServer> servers = new ArrayList<>();
        List<GridServer> grid = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                ServerIdentity id = ServerIdentity.loadOrCreate(dir.resolve("s" + i).resolve("server"));
                HttpStorageServer server = HttpStorageServer.start(
                        new StorageBackend(dir.resolve("s" + i), id.tubId(), 0, Clock.systemUTC()), id, "127.0.0.1", 0);
                servers.add(server);
                grid.add(new GridServer(new HttpStorageClient(server.nurl()), id.tubId(), id.spkiHash()));
            }
            rawCompute(file, Math.min(mib, 64)); // warm-up: let the JIT compile the hot loops first
            double raw = rawCompute(file, mib);
            ChkUploader uploader = new ChkUploader(grid, EncodingParameters.DEFAULT, new byte[32],
                    new ClientSecrets(new byte[32]));
            // The same warm-up for the transfer paths (TLS, HTTP, the servers): 64 MiB of other bytes up and back.
            Path warm = dir.resolve("warm-up.bin");
            try (var out = Files.newOutputStream(warm)) {
                for (int i = 0; i < Math.min(mib, 64); i++) {
                    block[1] = (byte) i;
                    out.write(block);
                }
            }
            ChkCap warmCap = (ChkCap) uploader.upload(UploadSource.of(warm)).cap();
            ChkReader warmReader = new ChkReader(warmCap, grid.stream().map(GridServer::storage).toList());
            for (long at = 0; at < warmCap.size(); at += 1 << 20) {
                warmReader.read(at, 1 << 20);
            }
            long t = System.nanoTime();
            ChkCap cap = (ChkCap) uploader.upload(UploadSource.of(file)).cap();
            double up = mib * 1048576.0 / ((System.nanoTime() - t) / 1e9) / 1e6;
            ChkReader reader = new ChkReader(cap, grid.stream().map(GridServer::storage).toList());
            t = System.nanoTime();
            for (long at = 0; at < cap.size(); at += 1 << 20) {
                reader.read(at, 1 << 20);
            }
            double down = mib * 1048576.0 / ((System.nanoTime() - t) / 1e9) / 1e6;
            System.out.printf("immutable file of %d MiB, 3-of-10 over 10 HTTPS servers on loopback (MB/s)%n", mib);
            System.out.printf("%-44s %8.1f%n", "raw compute (hash, AES-CTR, zfec, hashes)", raw);
            System.out.printf("%-44s %8.1f  %.2f of raw%n", "upload (lafsfs put path)", up, up / raw);
            System.out.printf("%-44s %8.1f  %.2f of raw%n", "download (1 MiB sequential reads)", down, down / raw);
        } finally {
            servers.forEach(HttpStorageServer::close);
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    /** The passes an upload must make over the data, without any I/O: the bound an upload can approach. */
    private static double rawCompute(Path file, int mib) throws Exception {
        Zfec fec = new Zfec(3, 10);
        int segment = 1_048_578;
        int[] check = {3, 4, 5, 6, 7, 8, 9};
        byte[][] out = new byte[7][segment / 3];
        long t = System.nanoTime();
        var converge = Hashes.convergenceHasher(3, 10, segment, new byte[32]);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[segment];
            long left = (long) mib << 20;
            for (int r; left > 0 && (r = in.readNBytes(buf, 0, (int) Math.min(segment, left))) > 0; left -= r) {
                converge.update(buf, 0, r);
            }
        }
        AesCtr aes = AesCtr.of(converge.digest());
        var crypttext = Hashes.crypttextHasher();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[segment];
            long left = (long) mib << 20;
            for (int r; left > 0 && (r = in.readNBytes(buf, 0, (int) Math.min(segment, left))) > 0; left -= r) {
                aes.process(buf, 0, r);
                crypttext.update(buf, 0, r);
                Hashes.crypttextSegmentHash(java.util.Arrays.copyOf(buf, r));
                byte[][] primary = {java.util.Arrays.copyOfRange(buf, 0, segment / 3),
                    java.util.Arrays.copyOfRange(buf, segment / 3, 2 * segment / 3),
                    java.util.Arrays.copyOfRange(buf, 2 * segment / 3, segment)};
                fec.encode(primary, 0, segment / 3, check, out, 0);
                for (byte[] p : primary) {
                    Hashes.blockHash(p);
                }
                for (byte[] o : out) {
                    Hashes.blockHash(o);
                }
            }
        }
        return mib * 1048576.0 / ((System.nanoTime() - t) / 1e9) / 1e6;
    }
}
