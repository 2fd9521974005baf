package org.lafsfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.posix.FileStat;
import jnr.posix.POSIX;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.VfsFixture;

/**
 * System calls on the real mount, one nested class per call as pjdfstest
 * organises them: what succeeds, and the errno of what must fail. The
 * results table in docs/semantics.md is this suite's summary; what Tahoe
 * cannot express is refused on purpose, and tested as refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PosixSyscallTest {
    private static final POSIX posix = MountedPathVfs.posix;
    private static final int O_RDONLY = MountedPathVfs.O_RDONLY;
    private static final int O_WRONLY = MountedPathVfs.O_WRONLY;
    private static final int O_RDWR = MountedPathVfs.O_RDWR;
    private static final int O_CREAT = MountedPathVfs.O_CREAT;
    private static final int O_EXCL = MountedPathVfs.O_EXCL;
    private static final int O_TRUNC = MountedPathVfs.O_TRUNC;
    private static final int AT_FDCWD = MountedPathVfs.AT_FDCWD;
    private static final String LONG_NAME = "n".repeat(256);

    @TempDir
    static Path dir; // static: filled before @BeforeAll
    private VfsFixture fixture;
    private LafsVfs vfs;
    private FuseMount fuse;
    private final AtomicInteger tests = new AtomicInteger();
    /** This test's own directory under the mount. */
    private Path here;

    @BeforeAll
    void mount() throws Exception {
        fixture = new VfsFixture(dir.resolve("grid"));
        VfsFixture.Client client = fixture.client();
        vfs = LafsVfs.open(client.grid(), client.root(), client.config());
        fuse = FuseTesting.mount(vfs, FuseMount.Options.defaults());
    }

    @AfterAll
    void unmount() throws Exception {
        if (fuse != null) {
            fuse.close();
            vfs.close();
            FuseTesting.removeMountPoint(fuse.mountPoint());
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @BeforeEach
    void ownDirectory() throws Exception {
        here = Files.createDirectory(fuse.mountPoint().resolve("t" + tests.incrementAndGet()));
    }

    private String p(String name) {
        return here.resolve(name).toString();
    }

    private void file(String name, String contents) throws Exception {
        Files.writeString(here.resolve(name), contents);
    }

    /** The errno name a call left, or "OK" when it returned 0 or more. */
    private static String result(long rc) {
        return rc >= 0 ? "OK" : jnr.constants.platform.Errno.valueOf(posix.errno()).name();
    }

    private static FileStat stat(String path) {
        FileStat st = posix.allocateStat();
        assertThat(posix.stat(path, st)).as("stat " + path).isZero();
        return st;
    }

    private static int open(String path, int flags) {
        return posix.open(path, flags, 0644);
    }

    private static String openResult(String path, int flags) {
        int fd = open(path, flags);
        String r = result(fd);
        if (fd >= 0) {
            posix.close(fd);
        }
        return r;
    }

    @Nested
    @DisplayName("chmod")
    class Chmod {
        @Test
        void clearingAndSettingTheOwnerWriteBitShowsInTheMode() throws Exception {
            file("f", "x");
            assertThat(result(posix.chmod(p("f"), 0444))).isEqualTo("OK");
            assertThat(stat(p("f")).mode() & 07777).isEqualTo(0444);
            assertThat(result(posix.chmod(p("f"), 0644))).isEqualTo("OK");
            assertThat(stat(p("f")).mode() & 07777).isEqualTo(0644);
        }

        @Test
        void otherBitsAreNotKeptOnlyTheOwnerWriteBitIs() throws Exception {
            file("f", "x");
            assertThat(result(posix.chmod(p("f"), 0600))).isEqualTo("OK");
            assertThat(stat(p("f")).mode() & 07777).as("Tahoe keeps no-write only").isEqualTo(0644);
        }

        @Test
        void errnos() throws Exception {
            file("f", "x");
            assertThat(result(posix.chmod(p("missing"), 0644))).isEqualTo("ENOENT");
            assertThat(result(posix.chmod(p("f/below"), 0644))).isEqualTo("ENOTDIR");
            assertThat(result(posix.chmod(p(LONG_NAME), 0644))).isEqualTo("ENAMETOOLONG");
        }
    }

    @Nested
    @DisplayName("chown")
    class Chown {
        @Test
        void ownersAreNotSomethingTahoeRecords() throws Exception {
            file("f", "x");
            assertThat(result(posix.chown(p("f"), 4321, 4321))).isEqualTo("EPERM");
        }
    }

    @Nested
    @DisplayName("link")
    class Link {
        @Test
        void aSecondNameForAFileReadsTheSameAndCountsTwoLinks() throws Exception {
            String contents = "linked, and longer than a literal cap holds: " + "x".repeat(60);
            file("f", contents);
            assertThat(result(posix.link(p("f"), p("g")))).isEqualTo("OK");
            assertThat(Files.readString(here.resolve("g"))).isEqualTo(contents);
            assertThat(stat(p("f")).nlink()).isEqualTo(2);
            assertThat(result(posix.unlink(p("f")))).isEqualTo("OK");
            assertThat(stat(p("g")).nlink()).isEqualTo(1);
        }

        @Test
        void errnos() throws Exception {
            file("f", "x");
            file("g", "y");
            Files.createDirectory(here.resolve("d"));
            assertThat(result(posix.link(p("f"), p("g")))).isEqualTo("EEXIST");
            assertThat(result(posix.link(p("missing"), p("h")))).isEqualTo("ENOENT");
            assertThat(result(posix.link(p("d"), p("d2")))).isEqualTo("EPERM");
            assertThat(result(posix.link(p("f"), p(LONG_NAME)))).isEqualTo("ENAMETOOLONG");
        }
    }

    @Nested
    @DisplayName("link counts")
    class LinkCounts {
        @Test
        void emptyFilesAreNotTakenForLinksOfEachOther() throws Exception {
            file("a", "");
            file("b", "");
            assertThat(stat(p("a")).nlink()).isEqualTo(1);
            assertThat(stat(p("b")).nlink()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("mkdir")
    class Mkdir {
        @Test
        void makesAnEmptyDirectory() throws Exception {
            assertThat(result(posix.mkdir(p("d"), 0755))).isEqualTo("OK");
            assertThat(stat(p("d")).isDirectory()).isTrue();
            try (var entries = Files.list(here.resolve("d"))) {
                assertThat(entries.count()).isZero();
            }
        }

        @Test
        void errnos() throws Exception {
            file("f", "x");
            Files.createDirectory(here.resolve("d"));
            assertThat(result(posix.mkdir(p("d"), 0755))).isEqualTo("EEXIST");
            assertThat(result(posix.mkdir(p("f"), 0755))).isEqualTo("EEXIST");
            assertThat(result(posix.mkdir(p("missing/d"), 0755))).isEqualTo("ENOENT");
            assertThat(result(posix.mkdir(p("f/d"), 0755))).isEqualTo("ENOTDIR");
            assertThat(result(posix.mkdir(p(LONG_NAME), 0755))).isEqualTo("ENAMETOOLONG");
        }
    }

    @Nested
    @DisplayName("open")
    class Open {
        @Test
        void createTruncateAndExclusive() throws Exception {
            assertThat(openResult(p("new"), O_CREAT | O_WRONLY)).isEqualTo("OK");
            assertThat(stat(p("new")).st_size()).isZero();
            file("f", "some contents");
            assertThat(openResult(p("f"), O_WRONLY | O_TRUNC)).isEqualTo("OK");
            assertThat(stat(p("f")).st_size()).isZero();
            assertThat(openResult(p("f"), O_CREAT | O_EXCL | O_WRONLY)).isEqualTo("EEXIST");
        }

        @Test
        void errnos() throws Exception {
            file("f", "x");
            Files.createDirectory(here.resolve("d"));
            assertThat(openResult(p("missing"), O_RDONLY)).isEqualTo("ENOENT");
            assertThat(openResult(p("d"), O_WRONLY)).isEqualTo("EISDIR");
            assertThat(openResult(p("d"), O_RDWR)).isEqualTo("EISDIR");
            assertThat(openResult(p("f/below"), O_CREAT | O_WRONLY)).isEqualTo("ENOTDIR");
            assertThat(openResult(p(LONG_NAME), O_CREAT | O_WRONLY)).isEqualTo("ENAMETOOLONG");
        }
    }

    @Nested
    @DisplayName("rename")
    class Rename {
        @Test
        void replacesAFileAndAnEmptyDirectoryAtomically() throws Exception {
            file("a", "new");
            file("b", "old");
            assertThat(result(posix.rename(p("a"), p("b")))).isEqualTo("OK");
            assertThat(Files.readString(here.resolve("b"))).isEqualTo("new");
            assertThat(Files.exists(here.resolve("a"))).isFalse();
            Files.createDirectories(here.resolve("d1/inner"));
            Files.createDirectory(here.resolve("d2"));
            assertThat(result(posix.rename(p("d1"), p("d2")))).isEqualTo("OK");
            assertThat(stat(p("d2/inner")).isDirectory()).isTrue();
        }

        @Test
        void errnos() throws Exception {
            file("f", "x");
            Files.createDirectories(here.resolve("full/x"));
            Files.createDirectory(here.resolve("d"));
            assertThat(result(posix.rename(p("missing"), p("g")))).isEqualTo("ENOENT");
            assertThat(result(posix.rename(p("d"), p("full")))).isEqualTo("ENOTEMPTY");
            assertThat(result(posix.rename(p("f"), p("d")))).isEqualTo("EISDIR");
            assertThat(result(posix.rename(p("d"), p("f")))).isEqualTo("ENOTDIR");
            assertThat(result(posix.rename(p("d"), p("d/inside")))).isEqualTo("EINVAL");
            assertThat(result(posix.rename(p("f"), p(LONG_NAME)))).isEqualTo("ENAMETOOLONG");
        }
    }

    @Nested
    @DisplayName("rmdir")
    class Rmdir {
        @Test
        void removesAnEmptyDirectory() throws Exception {
            Files.createDirectory(here.resolve("d"));
            assertThat(result(posix.rmdir(p("d")))).isEqualTo("OK");
            assertThat(Files.exists(here.resolve("d"))).isFalse();
        }

        @Test
        void errnos() throws Exception {
            file("f", "x");
            Files.createDirectories(here.resolve("full/x"));
            assertThat(result(posix.rmdir(p("full")))).isEqualTo("ENOTEMPTY");
            assertThat(result(posix.rmdir(p("f")))).isEqualTo("ENOTDIR");
            assertThat(result(posix.rmdir(p("missing")))).isEqualTo("ENOENT");
            assertThat(result(posix.rmdir(p(LONG_NAME)))).isEqualTo("ENAMETOOLONG");
        }
    }

    @Nested
    @DisplayName("truncate and ftruncate")
    class Truncate {
        @Test
        void shrinksAndGrowsWithZeros() throws Exception {
            file("f", "hello world");
            assertThat(result(posix.truncate(p("f"), 5))).isEqualTo("OK");
            assertThat(Files.readString(here.resolve("f"))).isEqualTo("hello");
            int fd = open(p("f"), O_RDWR);
            assertThat(result(posix.ftruncate(fd, 8))).isEqualTo("OK");
            posix.close(fd);
            assertThat(Files.readAllBytes(here.resolve("f"))).isEqualTo(
                    "hello\0\0\0".getBytes(StandardCharsets.UTF_8));
        }

        @Test
        void errnos() throws Exception {
            Files.createDirectory(here.resolve("d"));
            file("f", "x");
            assertThat(result(posix.truncate(p("missing"), 0))).isEqualTo("ENOENT");
            assertThat(result(posix.truncate(p("d"), 0))).isEqualTo("EISDIR");
            assertThat(result(posix.truncate(p("f"), -1))).isEqualTo("EINVAL");
            int fd = open(p("f"), O_RDONLY);
            assertThat(result(posix.ftruncate(fd, 0))).as("ftruncate of a descriptor opened read-only")
                    .isIn("EINVAL", "EBADF");
            posix.close(fd);
        }
    }

    @Nested
    @DisplayName("unlink")
    class Unlink {
        @Test
        void removesAFileNameAndAnOpenDescriptorStillReads() throws Exception {
            file("f", "still here");
            int fd = open(p("f"), O_RDONLY);
            assertThat(result(posix.unlink(p("f")))).isEqualTo("OK");
            assertThat(Files.exists(here.resolve("f"))).isFalse();
            byte[] buffer = new byte[10];
            assertThat(posix.read(fd, buffer, 10)).isEqualTo(10);
            assertThat(new String(buffer, StandardCharsets.UTF_8)).isEqualTo("still here");
            posix.close(fd);
        }

        @Test
        void errnos() throws Exception {
            Files.createDirectory(here.resolve("d"));
            file("f", "x");
            assertThat(result(posix.unlink(p("missing")))).isEqualTo("ENOENT");
            assertThat(result(posix.unlink(p("d")))).isEqualTo("EISDIR");
            assertThat(result(posix.unlink(p("f/below")))).isEqualTo("ENOTDIR");
        }
    }

    @Nested
    @DisplayName("utimensat")
    class Utimensat {
        @Test
        void setsModificationTimeToTheNanosecondAndBeyond2038() throws Exception {
            file("f", "x");
            long[] atime = {0, (1L << 30) - 2}; // UTIME_OMIT
            assertThat(result(posix.utimensat(AT_FDCWD, p("f"), atime, new long[] {1_000_000_000L, 123_456_789L},
                    0))).isEqualTo("OK");
            FileStat st = stat(p("f"));
            assertThat(st.mtime()).isEqualTo(1_000_000_000L);
            // Tahoe keeps times as float seconds: a double holds about 0.2 µs at this magnitude
            assertThat(Files.getLastModifiedTime(here.resolve("f")).toInstant().getNano())
                    .isCloseTo(123_456_789, org.assertj.core.data.Offset.offset(1_000));
            assertThat(result(posix.utimensat(AT_FDCWD, p("f"), atime, new long[] {4_102_444_800L, 0}, 0)))
                    .isEqualTo("OK");
            assertThat(stat(p("f")).mtime()).as("2100-01-01").isEqualTo(4_102_444_800L);
        }

        @Test
        void errnos() throws Exception {
            assertThat(result(posix.utimensat(AT_FDCWD, p("missing"), new long[] {0, 0}, new long[] {0, 0}, 0)))
                    .isEqualTo("ENOENT");
        }
    }

    @Nested
    @DisplayName("symlink and mknod")
    class NotExpressible {
        @Test
        void areRefusedBecauseTahoeDirectoriesHoldOnlyFilesAndDirectories() throws Exception {
            assertThat(result(posix.symlink("target", p("link")))).isEqualTo("EPERM");
            assertThat(result(posix.mkfifo(p("fifo"), 0644))).isEqualTo("EPERM");
        }
    }

    @Nested
    @DisplayName("read-only mount")
    class ReadOnly {
        @Test
        void everyChangeIsEROFS() throws Exception {
            file("f", "x");
            Files.createDirectory(here.resolve("d"));
            FuseMount ro = FuseTesting.mount(vfs, FuseMount.Options.defaults().withReadOnly(true));
            try {
                Path r = ro.mountPoint().resolve(here.getFileName());
                assertThat(Files.readString(r.resolve("f"))).isEqualTo("x");
                assertThat(result(posix.mkdir(r.resolve("e").toString(), 0755))).isEqualTo("EROFS");
                assertThat(result(posix.unlink(r.resolve("f").toString()))).isEqualTo("EROFS");
                assertThat(result(posix.rmdir(r.resolve("d").toString()))).isEqualTo("EROFS");
                assertThat(result(posix.rename(r.resolve("f").toString(), r.resolve("g").toString())))
                        .isEqualTo("EROFS");
                assertThat(result(posix.chmod(r.resolve("f").toString(), 0444))).isEqualTo("EROFS");
                assertThat(openResult(r.resolve("f").toString(), O_WRONLY)).isEqualTo("EROFS");
                assertThat(openResult(r.resolve("new").toString(), O_CREAT | O_WRONLY)).isEqualTo("EROFS");
                assertThat(result(posix.truncate(r.resolve("f").toString(), 0))).isEqualTo("EROFS");
            } finally {
                ro.close();
                FuseTesting.removeMountPoint(ro.mountPoint());
            }
        }

        @Test
        void aFileMadeReadOnlyRefusesWritesWithEACCESForItsOwner() throws Exception {
            file("f", "x");
            assertThat(result(posix.chmod(p("f"), 0444))).isEqualTo("OK");
            String who = PosixFilePermissions.toString(Files.getPosixFilePermissions(here.resolve("f")));
            assertThat(who).isEqualTo("r--r--r--");
            // root passes permission checks in the kernel; the VFS itself still refuses a write to no-write
            assertThat(openResult(p("f"), O_WRONLY)).isIn("EACCES", "EPERM");
        }
    }
}
