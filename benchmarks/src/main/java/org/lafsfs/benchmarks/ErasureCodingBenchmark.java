package org.lafsfs.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.lafsfs.core.fec.Zfec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Encoding one segment into Tahoe's default 3-of-10 shares, as an upload does:
 * the three primary blocks are the segment itself, so the work is the seven
 * check blocks. Throughput in segments/s; multiply by the segment size for MB/s
 * (benchmarks/run does, and puts zfec's C coder beside it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ErasureCodingBenchmark {
    @Param({"1048576", "131072"})
    int segmentSize;

    private static final int[] CHECK_SHARES = {3, 4, 5, 6, 7, 8, 9};

    private final Zfec fec = new Zfec(3, 10);
    private byte[][] primary;
    private byte[][] check;
    private int blockSize;

    @Setup
    public void setUp() {
        blockSize = (segmentSize + 2) / 3;
        primary = new byte[3][blockSize];
        Random random = new Random(1);
        for (byte[] block : primary) {
            random.nextBytes(block);
        }
        check = new byte[7][blockSize];
        encodeCheckBlocks(); // decodeFromCheckBlocks reads shares 7, 8 and 9
    }

    @Benchmark
    public byte[][] encodeCheckBlocks() {
        fec.encode(primary, 0, blockSize, CHECK_SHARES, check, 0);
        return check;
    }

    @Benchmark
    public byte[][] decodeFromCheckBlocks() {
        return fec.decode(new byte[][] {check[4], check[5], check[6]}, new int[] {7, 8, 9});
    }
}
