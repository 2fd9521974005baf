package org.lafsfs.fuse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.vfs.FileHandle;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.OpenOption;
import org.lafsfs.vfs.VfsFixture;

/**
 * What the mount is for: ordinary programs (cp, cat, ls, mv, rm, dd, ...) on
 * a real kernel FUSE mount, large files with their checksums, memory that
 * does not grow with the file, and the mount's lifecycle.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FuseMountTest {
    @TempDir
    Path dir;

    private VfsFixture fixture;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private FuseMount fuse;
    private LafsVfs vfs;
    private Path mnt;

    @BeforeEach
    void mount() throws Exception {
        fixture = new VfsFixture(dir.resolve("grid"));
        VfsFixture.Client client = fixture.client();
        vfs = LafsVfs.open(client.grid(), client.root(), client.config());
        fuse = FuseTesting.mount(vfs, FuseMount.Options.defaults());
        mnt = fuse.mountPoint();
    }

    @AfterEach
    void unmount() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                // the test has failed already if this matters
            }
        }
        if (fuse != null) {
            fuse.close();
            vfs.close();
            FuseTesting.removeMountPoint(mnt);
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    // ---------------------------------------------------------------- shell tools

    @Test
    void everydayShellCommandsWorkOnTheMount() throws Exception {
        sh("printf 'hello, grid\\n' > a.txt");
        assertThat(sh("cat a.txt")).isEqualTo("hello, grid\n");
        sh("cp a.txt b.txt");
        assertThat(sh("cat b.txt")).isEqualTo("hello, grid\n");
        sh("mkdir -p d/e/f");
        sh("mv b.txt d/e/f/c.txt");
        assertThat(sh("ls")).isEqualTo("a.txt\nd\n");
        String long1 = sh("ls -l d/e/f");
        assertThat(long1).contains("-rw-r--r--").contains(" 12 ").contains("c.txt");
        assertThat(sh("ls -ld d")).startsWith("drwxr-xr-x");
        assertThat(sh("stat -c '%s %a %F' d/e/f/c.txt")).isEqualTo("12 644 regular file\n");
        assertThat(sh("stat -c '%U:%G' a.txt")).isEqualTo(sh("id -un").strip() + ":" + sh("id -gn").strip() + "\n");

        sh("rm a.txt");
        assertThat(sh("ls")).isEqualTo("d\n");
        assertThat(shFails("rmdir d/e/f")).contains("Directory not empty");
        assertThat(shFails("cat missing")).contains("No such file or directory");

        sh("touch -d '2001-09-09 01:46:40.25 UTC' d/e/f/c.txt");
        assertThat(sh("TZ=UTC stat -c %y d/e/f/c.txt")).startsWith("2001-09-09 01:46:40.25");
        sh("touch -d '2040-01-02 03:04:05 UTC' d/e/f/c.txt");
        assertThat(sh("TZ=UTC stat -c %y d/e/f/c.txt")).as("a time beyond 2038").startsWith("2040-01-02 03:04:05");
        sh("truncate -s 5 d/e/f/c.txt");
        assertThat(sh("cat d/e/f/c.txt")).isEqualTo("hello");
        sh("echo ' world' >> d/e/f/c.txt");
        assertThat(sh("cat d/e/f/c.txt")).isEqualTo("hello world\n");
        sh("chmod a-w d/e/f/c.txt");
        assertThat(sh("stat -c %a d/e/f/c.txt")).isEqualTo("444\n");
        sh("chmod u+w d/e/f/c.txt");
        assertThat(sh("stat -c %a d/e/f/c.txt")).isEqualTo("644\n");
        sh("ln d/e/f/c.txt hard");
        assertThat(sh("cat hard")).isEqualTo("hello world\n");
        assertThat(shFails("ln -s d/e/f/c.txt soft")).contains("Operation not permitted");
        assertThat(shFails("mkfifo fifo")).contains("Operation not permitted");
        sh("rm hard d/e/f/c.txt && rmdir d/e/f d/e d");
        assertThat(sh("ls -A")).isEmpty();
        assertThat(sh("df -P . | tail -1")).startsWith("lafsfs");
    }

    @Test
    void gitInitCommitAndLogWorkInsideTheMount() throws Exception {
        requireTool("git");
        sh("git init -q repo && cd repo && git config user.email t@example.org && git config user.name Tester"
                + " && printf 'first\\n' > notes.txt && git add notes.txt && git commit -q -m 'first commit'"
                + " && printf 'second\\n' >> notes.txt && git commit -q -am 'second commit'");
        assertThat(sh("cd repo && git log --format=%s")).isEqualTo("second commit\nfirst commit\n");
        assertThat(sh("cd repo && git status --porcelain")).isEmpty();
        assertThat(sh("cd repo && git fsck --strict 2>&1 && git show HEAD~1:notes.txt")).endsWith("first\n");
    }

    @Test
    void tarExtractsThousandsOfSmallFilesAndArchivesThemBackIdentically() throws Exception {
        Path src = Files.createDirectories(dir.resolve("tree"));
        shIn(src, "for d in $(seq 0 7); do mkdir -p d$d/sub; for f in $(seq 0 249); do"
                + " printf 'file %s of %s\\n' $f $d > d$d/f$f.txt; done; head -c 70000 /dev/urandom > d$d/sub/big.bin;"
                + " done", true);
        shIn(dir, "tar -cf tree.tar -C tree .", true);
        sh("mkdir x && tar -xf '" + dir.resolve("tree.tar") + "' -C x");
        assertThat(shIn(dir, "diff -r tree '" + mnt.resolve("x") + "' && echo same", true)).isEqualTo("same\n");
        sh("tar -cf '" + dir.resolve("back.tar") + "' -C x .");
        Files.createDirectories(dir.resolve("back"));
        shIn(dir, "tar -xf back.tar -C back", true);
        assertThat(shIn(dir, "diff -r tree back && echo same", true)).isEqualTo("same\n");
    }

    @Test
    void rsyncCopiesATreeInAndOutWithItsTimes() throws Exception {
        requireTool("rsync");
        Path src = Files.createDirectories(dir.resolve("src"));
        shIn(src, "mkdir -p a/b && for i in $(seq 1 60); do printf 'line %s\\n' $i > a/f$i; done"
                + " && head -c 300000 /dev/urandom > a/b/blob && touch -d '2020-02-02 02:02:02' a/f1", true);
        shIn(dir, "rsync -a src/ '" + mnt.resolve("copy") + "/'", true);
        assertThat(shIn(dir, "rsync -a --dry-run --itemize-changes src/ '" + mnt.resolve("copy") + "/'", true))
                .as("a second rsync finds nothing to do").isEmpty();
        shIn(dir, "rsync -a '" + mnt.resolve("copy") + "/' out/", true);
        assertThat(shIn(dir, "diff -r src out && echo same", true)).isEqualTo("same\n");
        assertThat(shIn(dir, "TZ=UTC stat -c %y out/a/f1", true)).startsWith(
                shIn(dir, "TZ=UTC stat -c %y src/a/f1", true).substring(0, 19));
    }

    @Test
    void twoProcessesAppendingToDifferentFilesAtOnceLoseNothing() throws Exception {
        sh("(for i in $(seq 1 300); do echo \"one $i\" >> one.log; done) &"
                + " (for i in $(seq 1 300); do echo \"two $i\" >> two.log; done) & wait");
        assertThat(sh("wc -l < one.log").strip()).isEqualTo("300");
        assertThat(sh("wc -l < two.log").strip()).isEqualTo("300");
        assertThat(sh("tail -1 one.log; tail -1 two.log")).isEqualTo("one 300\ntwo 300\n");
    }

    @Test
    void aFileLargerThanOneGibibyteIsWrittenAndReadBackWithItsChecksum() throws Exception {
        Path big = dir.resolve("big-source.bin");
        shIn(dir, "head -c $((1024*1024*1024 + 4097)) /dev/urandom > big-source.bin", true);
        String expected = sha256(big);
        sh("dd if='" + big + "' of=big.bin bs=1M status=none");
        assertThat(sh("stat -c %s big.bin").strip()).isEqualTo(Long.toString((1L << 30) + 4097));
        assertThat(sha256(mnt.resolve("big.bin"))).isEqualTo(expected);
        Files.delete(big);
    }

    @Test
    void ownerAndUmaskOptionsAreWhatTheKernelShowsAndEnforces() throws Exception {
        sh("mkdir shared && printf 'x\\n' > shared/f.txt");
        fuse.close();
        FuseTesting.removeMountPoint(mnt);
        fuse = FuseTesting.mount(vfs, FuseMount.Options.defaults().withOwner(1234, 5678).withUmask(027));
        mnt = fuse.mountPoint();
        assertThat(sh("stat -c '%u:%g %a' shared shared/f.txt")).isEqualTo("1234:5678 750\n1234:5678 640\n");
        // default_permissions: the mode shown is the mode the kernel checks (another user may not read 640)
        assertThat(sh("setpriv --reuid=4321 --regid=4321 --clear-groups cat shared/f.txt 2>&1 || echo refused"))
                .contains("Permission denied").endsWith("refused\n");
    }

    @Test
    void whatProgramsWroteIsOnTheGridForAnotherClient() throws Exception {
        sh("mkdir docs && printf 'first\\n' > docs/one.txt && printf 'second\\n' > docs/two.txt"
                + " && mv docs/two.txt docs/2.txt && cp -p docs/one.txt docs/copy.txt");
        vfs.sync();
        LafsVfs other = open(fixture.client());
        toClose.add(other);
        assertThat(other.readdir("/docs").stream().map(e -> e.name()))
                .containsExactlyInAnyOrder("one.txt", "2.txt", "copy.txt");
        try (FileHandle h = other.open("/docs/2.txt", EnumSet.of(OpenOption.READ))) {
            byte[] b = new byte[100];
            assertThat(new String(b, 0, h.read(0, b, 0, 100), UTF_8)).isEqualTo("second\n");
        }
    }

    @Test
    void theMountIsListedWithItsOptions() throws Exception {
        MountTable.Mount m = MountTable.at(mnt).orElseThrow();
        assertThat(m.fsType()).isEqualTo("fuse.lafsfs");
        assertThat(m.source()).isEqualTo("lafsfs");
        String line = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains(" " + mnt + " ")).findFirst().orElseThrow();
        assertThat(line).contains("default_permissions").contains(" rw,");
    }

    // ---------------------------------------------------------------- large files and memory

    @Test
    void dd50MiBInAndOutKeepsEveryByte() throws Exception {
        Path source = dir.resolve("source.bin");
        sh("dd if=/dev/urandom of='" + source + "' bs=1M count=50 status=none");
        String expected = sha256(source);
        sh("dd if='" + source + "' of=big.bin bs=1M status=none");
        assertThat(Files.size(mnt.resolve("big.bin"))).isEqualTo(50L << 20);
        assertThat(sh("dd if=big.bin bs=1M status=none | sha256sum | cut -d' ' -f1").strip()).isEqualTo(expected);

        vfs.sync(); // and from the grid, through a client that has nothing cached
        LafsVfs other = open(fixture.client());
        toClose.add(other);
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        try (FileHandle h = other.open("/big.bin", EnumSet.of(OpenOption.READ))) {
            byte[] buffer = new byte[1 << 20];
            long at = 0;
            for (int n; (n = h.read(at, buffer, 0, buffer.length)) > 0; at += n) {
                sha.update(buffer, 0, n);
            }
            assertThat(at).isEqualTo(50L << 20);
        }
        assertThat(java.util.HexFormat.of().formatHex(sha.digest())).isEqualTo(expected);
    }

    @Test
    void writing200MiBKeepsTheHeapFarBelowTheFileSize() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long baseline = liveHeap(memory);
        AtomicLong peak = new AtomicLong();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (writing.get()) {
                peak.accumulateAndGet(liveHeap(memory), Math::max);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try {
            sh("dd if=/dev/zero of=huge.bin bs=1M count=200 status=none");
        } finally {
            writing.set(false);
            sampler.join();
        }
        peak.accumulateAndGet(liveHeap(memory), Math::max);
        assertThat(Files.size(mnt.resolve("huge.bin"))).isEqualTo(200L << 20);
        long grown = peak.get() - baseline;
        System.err.printf("heap in use after GC: %d MiB before, at most %d MiB while writing 200 MiB%n",
                baseline >> 20, peak.get() >> 20);
        assertThat(grown).as("live heap growth (bytes) while writing a 200 MiB file").isLessThan(64L << 20);
    }

    private static LafsVfs open(VfsFixture.Client client) throws Exception {
        return LafsVfs.open(client.grid(), client.root(), client.config());
    }

    /** The heap that is still reachable: in use right after a full collection. */
    private static long liveHeap(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    @Test
    void anImmutableFileReadAgainComesFromTheKernelsPageCacheUntilItChanges() throws Exception {
        sh("head -c 300000 /dev/urandom > f.bin");
        String written = sh("sha256sum f.bin"); // the first open after the write reads from the VFS
        long before = fuse.readCalls();
        assertThat(sh("sha256sum f.bin")).isEqualTo(written);
        assertThat(fuse.readCalls() - before).as("reads that reached lafsfs on the second open").isZero();

        sh("head -c 300000 /dev/urandom > f.bin"); // same size, new contents
        String rewritten = sh("sha256sum f.bin");
        assertThat(rewritten).isNotEqualTo(written);
        assertThat(sh("sha256sum f.bin")).isEqualTo(rewritten);
        assertThat(sh("sha256sum " + dir.resolve("copy") + " 2>/dev/null; cp f.bin '" + dir.resolve("copy")
                + "' && cd '" + dir + "' && sha256sum copy").split("\\s+")[0])
                .isEqualTo(rewritten.split("\\s+")[0]);
    }

    // ---------------------------------------------------------------- what the kernel shows other programs

    /**
     * The conformance suite's rename test with the readers on a second mount: another client sees the target
     * replaced without a moment in which it is missing. (Readers on the renaming mount itself can meet ENOENT
     * in a window of microseconds: libfuse 2's path-based API forgets the replaced file's node before the
     * kernel has moved its name; see fuse-mount/README.md.)
     */
    @Test
    void aFileReplacedByRenameNeverGoesMissingForAnotherMount() throws Exception {
        Files.createDirectories(mnt.resolve("incoming"));
        Files.createDirectories(mnt.resolve("live"));
        Files.writeString(mnt.resolve("live/current"), "version 0");
        vfs.sync();
        LafsVfs otherVfs = open(fixture.client());
        FuseMount other = FuseTesting.mount(otherVfs, FuseMount.Options.defaults());
        toClose.add(() -> {
            other.close();
            otherVfs.close();
            FuseTesting.removeMountPoint(other.mountPoint());
        });
        Path seen = other.mountPoint().resolve("live/current");
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicLong reads = new AtomicLong();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                try {
                    String s = Files.readString(seen);
                    if (!s.matches("version \\d+")) {
                        problems.add("read \"" + s + "\"");
                    }
                    reads.incrementAndGet();
                } catch (NoSuchFileException e) {
                    problems.add("missing: " + e.getMessage());
                } catch (IOException e) {
                    problems.add(e.toString());
                }
            }
        }, "other-mount-reader");
        reader.start();
        try {
            for (int i = 1; i <= 10; i++) {
                Files.writeString(mnt.resolve("incoming/v" + i), "version " + i);
                Files.move(mnt.resolve("incoming/v" + i), mnt.resolve("live/current"),
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            vfs.sync();
            long deadline = System.nanoTime() + VfsFixture.visibilityDeadline().plusSeconds(2).toNanos();
            while (!Files.readString(seen).equals("version 10") && System.nanoTime() < deadline) {
                Thread.sleep(25);
            }
            assertThat(Files.readString(seen)).isEqualTo("version 10");
        } finally {
            done.set(true);
            reader.join(10_000);
        }
        assertThat(problems).isEmpty();
        assertThat(reads.get()).isPositive();
    }

    @Test
    void aReadOnlyMountRefusesWritesWithEROFS() throws Exception {
        sh("echo kept > f");
        vfs.sync();
        LafsVfs roVfs = open(fixture.client());
        FuseMount ro = FuseTesting.mount(roVfs, FuseMount.Options.defaults().withReadOnly(true));
        toClose.add(() -> {
            ro.close();
            roVfs.close();
            FuseTesting.removeMountPoint(ro.mountPoint());
        });
        Path p = ro.mountPoint();
        assertThat(Files.readString(p.resolve("f"))).isEqualTo("kept\n");
        assertThat(shFailsIn(p, "echo more >> f")).contains("Read-only file system");
        assertThat(shFailsIn(p, "touch new")).contains("Read-only file system");
        assertThat(shFailsIn(p, "mkdir d")).contains("Read-only file system");
        assertThat(shFailsIn(p, "rm f")).contains("Read-only file system");
    }

    // ---------------------------------------------------------------- lifecycle

    @Test
    void closingABusyMountDetachesItAtOnceAndEndsItWhenTheLastFileCloses() throws Exception {
        Files.writeString(mnt.resolve("held"), "still readable");
        FileChannel held = FileChannel.open(mnt.resolve("held"), StandardOpenOption.READ);
        Thread closing = new Thread(fuse::close, "closing");
        closing.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (MountTable.at(mnt).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(MountTable.at(mnt)).as("detached from the tree").isEmpty();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(100);
        held.read(b, 0);
        assertThat(new String(b.array(), 0, b.position(), UTF_8)).isEqualTo("still readable");
        held.close();
        closing.join(30_000);
        assertThat(fuse.isUnmounted()).as("libfuse's loop ended").isTrue();
    }

    @Test
    void aMountPointThatIsAlreadyMountedIsRefusedWithAClearMessage() throws Exception {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> FuseMount.mount(vfs, mnt, FuseMount.Options.defaults()));
        assertThat(thrown).isInstanceOf(IOException.class).hasMessageContaining("already a FUSE mount point");
    }

    // ---------------------------------------------------------------- helpers

    private String sh(String script) throws Exception {
        return shIn(mnt, script, true);
    }

    private String shFails(String script) throws Exception {
        return shFailsIn(mnt, script);
    }

    private String shFailsIn(Path where, String script) throws Exception {
        return shIn(where, script, false);
    }

    /** Runs a bash script in {@code where}; its stdout (on success) or stderr (when it must fail). */
    private static String shIn(Path where, String script, boolean mustSucceed) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).directory(where.toFile()).start();
        p.getOutputStream().close();
        var err = new java.io.ByteArrayOutputStream();
        Thread errReader = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException e) {
                // the process is gone
            }
        });
        errReader.start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("finished: " + script).isTrue();
        errReader.join();
        String stderr = err.toString(UTF_8);
        if (mustSucceed) {
            assertThat(p.exitValue()).as("exit code of `%s` (stderr: %s)", script, stderr).isZero();
            return out;
        }
        assertThat(p.exitValue()).as("`%s` must fail (stdout: %s)", script, out).isNotZero();
        return stderr;
    }

    /** A tool a test needs: under CI=true (.ci/run installs it) its absence fails the test, elsewhere skips it. */
    private static void requireTool(String tool) throws Exception {
        boolean present = new ProcessBuilder("bash", "-c", "command -v " + tool).start().waitFor() == 0;
        if (!present && !"true".equals(System.getenv("CI"))) {
            org.junit.jupiter.api.Assumptions.abort(tool + " is not installed");
        }
        assertThat(present).as(tool + " is installed (.ci/run installs it)").isTrue();
    }

    private static String sha256(Path file) throws Exception {
        return shIn(file.getParent(), "sha256sum '" + file + "' | cut -d' ' -f1", true).strip();
    }
}
