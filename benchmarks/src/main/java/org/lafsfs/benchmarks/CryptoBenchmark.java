package org.lafsfs.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.lafsfs.core.crypto.AesCtr;
import org.lafsfs.core.crypto.Hashes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The other passes an upload makes over its data: AES-CTR encryption and the
 * tagged SHA-256d hashes (convergence key, crypttext, blocks). Throughput in
 * buffers/s of {@code bufferSize} bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CryptoBenchmark {
    @Param({"131072"})
    int bufferSize;

    private byte[] data;
    private AesCtr stream;

    @Setup
    public void setUp() {
        data = new byte[bufferSize];
        new Random(2).nextBytes(data);
        stream = AesCtr.of(new byte[16]);
    }

    @Benchmark
    public byte[] aesCtr() {
        stream.process(data);
        return data;
    }

    @Benchmark
    public byte[] sha256dBlockHash() {
        return Hashes.blockHash(data);
    }

    @Benchmark
    public byte[] aesCtrThenSha256d() {
        stream.process(data);
        return Hashes.crypttextSegmentHash(data);
    }
}
