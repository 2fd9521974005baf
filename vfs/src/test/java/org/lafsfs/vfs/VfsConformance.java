package org.lafsfs.vfs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;
import static org.lafsfs.vfs.Errno.EACCES;
import static org.lafsfs.vfs.Errno.EBADF;
import static org.lafsfs.vfs.Errno.EEXIST;
import static org.lafsfs.vfs.Errno.EINVAL;
import static org.lafsfs.vfs.Errno.EIO;
import static org.lafsfs.vfs.Errno.EISDIR;
import static org.lafsfs.vfs.Errno.ENOENT;
import static org.lafsfs.vfs.Errno.ENOSYS;
import static org.lafsfs.vfs.Errno.ENOTDIR;
import static org.lafsfs.vfs.Errno.ENOTEMPTY;
import static org.lafsfs.vfs.Errno.ENOTSUP;
import static org.lafsfs.vfs.Errno.EPERM;
import static org.lafsfs.vfs.Errno.EROFS;
import static org.lafsfs.vfs.OpenOption.APPEND;
import static org.lafsfs.vfs.OpenOption.CREATE;
import static org.lafsfs.vfs.OpenOption.EXCLUSIVE;
import static org.lafsfs.vfs.OpenOption.READ;
import static org.lafsfs.vfs.OpenOption.TRUNCATE;
import static org.lafsfs.vfs.OpenOption.WRITE;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.vfs.FileAttributes.Kind;
import org.lafsfs.vfs.VfsFixture.Client;

/**
 * The VFS conformance suite: what every operation of {@link Vfs} means, on an
 * in-process grid ({@link VfsFixture}), written as a specification. It runs
 * against {@link LafsVfs} directly ({@code LafsVfsConformanceTest}) and, through
 * their own adapters, against the FUSE and SFTP frontends: a frontend extends
 * this class and implements {@link #mount} (and, if its filesystem is not a
 * {@link LafsVfs}, {@link #crash}); everything else is shared.
 *
 * <p>Errno choices the suite holds every implementation to:
 * <ul>
 * <li>missing name or parent: ENOENT; a path through a file: ENOTDIR;
 * <li>create/mkdir/link over an existing name: EEXIST; EXCLUSIVE create of an existing file: EEXIST;
 * <li>rmdir of a non-empty directory and rename of a directory over a non-empty one: ENOTEMPTY;
 * <li>rmdir of a file: ENOTDIR; unlink of a directory: EISDIR; open of a directory for writing: EISDIR;
 * <li>rename of a file over a directory: EISDIR; of a directory over a file: ENOTDIR; of a directory
 * into itself: EINVAL; truncate of a directory: EISDIR; a negative size: EINVAL;
 * <li>write through a handle opened without WRITE: EBADF;
 * <li>a name made read-only by chmod (Tahoe's {@code no-write}): EACCES; a read-only cap met inside a
 * writable tree: EACCES or EROFS; any write on a mount of a read-only root cap: EROFS;
 * <li>symlink, chown, mknod (nothing Tahoe can record): EPERM, ENOSYS or ENOTSUP, with a message;
 * <li>an upload that failed because the grid was unreachable: EIO.
 * </ul>
 * Every failure carries a non-empty message.
 *
 * <p>Cross-client visibility is never waited for with a fixed sleep: the suite
 * polls until a deadline of several dir-cache-times ({@link #visibilityDeadline()}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class VfsConformance {
    /** The grid, its root and its clients; new for every test. */
    protected VfsFixture fixture;
    /** The client {@link #vfs} was mounted with (its own spool, the default configuration). */
    protected Client client;
    /** A mount of the root with the default (safe) configuration. */
    protected Vfs vfs;

    private final List<Vfs> mounts = new ArrayList<>();
    private final Set<Vfs> crashed = Collections.newSetFromMap(new IdentityHashMap<>());

    /** Mounts the root as {@code client} says: its grid, its root cap, its configuration (and spool directory). */
    protected abstract Vfs mount(Client client) throws Exception;

    /**
     * Stops {@code vfs} as a crash would: nothing pending is uploaded or
     * published, and the spool is left as it is. A frontend whose filesystem is
     * not a {@link LafsVfs} overrides this to crash the one it wraps.
     */
    protected void crash(Vfs crashing) throws Exception {
        if (crashing instanceof LafsVfs lafs) {
            lafs.abandon();
        } else {
            throw new UnsupportedOperationException(
                    getClass().getSimpleName() + " must override crash(Vfs) for " + crashing.getClass().getName());
        }
    }

    /** Starts again after a {@link #crash} with the same client and so the same spool directory. */
    protected Vfs restart(Client sameClient) throws Exception {
        return mount(sameClient);
    }

    /** Mounts and remembers the mount so that it is closed after the test. */
    protected final Vfs newMount(Client mountClient) throws Exception {
        return track(mount(mountClient));
    }

    /** A mount by a new client of the same grid: its own spool, its own caches. */
    protected final Vfs secondMount() throws Exception {
        return newMount(fixture.client());
    }

    private Vfs track(Vfs mounted) {
        mounts.add(mounted);
        return mounted;
    }

    private void crashTracked(Vfs crashing) throws Exception {
        crashed.add(crashing);
        crash(crashing);
    }

    @BeforeEach
    void startGridAndMount(@TempDir Path dir) throws Exception {
        fixture = new VfsFixture(dir);
        client = fixture.client();
        vfs = newMount(client);
    }

    @AfterEach
    void unmountAndStopGrid() {
        if (fixture == null) {
            return;
        }
        fixture.serversUp();
        List<Vfs> open = new ArrayList<>(mounts);
        Collections.reverse(open);
        for (Vfs mounted : open) {
            if (!crashed.contains(mounted)) {
                try {
                    mounted.close();
                } catch (Exception | AssertionError e) {
                    // The test has said what it had to say; a failing close here would only hide it.
                }
            }
        }
        mounts.clear();
        crashed.clear();
        fixture.close();
    }

    // ---------------------------------------------------------------- paths & stat

    @Nested
    @DisplayName("paths and stat")
    class PathsAndStat {
        @Test
        void theRootIsAWritableDirectory() throws Exception {
            FileAttributes root = vfs.stat("/");
            assertThat(root.kind()).isEqualTo(Kind.DIRECTORY);
            assertThat(root.isDirectory()).isTrue();
            assertThat(root.writable()).isTrue();
            assertThat(root.mode() & 0500).as("owner read and search bits of the root").isEqualTo(0500);
        }

        @Test
        void statOfAMissingNameIsENOENT() {
            assertFails(() -> vfs.stat("/missing"), ENOENT);
            assertFails(() -> vfs.stat("/missing/below"), ENOENT);
        }

        @Test
        void aPathThroughAFileIsENOTDIR() throws Exception {
            writeFile(vfs, "/file", bytes("x"));
            assertFails(() -> vfs.stat("/file/child"), ENOTDIR);
            assertFails(() -> vfs.readdir("/file"), ENOTDIR);
            assertFails(() -> vfs.open("/file/child", options(CREATE, WRITE)), ENOTDIR);
            assertFails(() -> vfs.mkdir("/file/dir"), ENOTDIR);
        }

        @Test
        void statOfAFileShowsItsKindSizeTimesAndMode() throws Exception {
            Instant before = Instant.now().minusSeconds(2); // Tahoe keeps times as float seconds
            writeFile(vfs, "/f.bin", random(1234, 1));
            FileAttributes f = vfs.stat("/f.bin");
            Instant after = Instant.now().plusSeconds(2);
            assertThat(f.kind()).isEqualTo(Kind.FILE);
            assertThat(f.isDirectory()).isFalse();
            assertThat(f.size()).isEqualTo(1234);
            assertThat(f.modified()).isBetween(before, after);
            assertThat(f.created()).isNotNull().isBetween(before, after);
            assertThat(f.mode() & 0600).as("owner read and write bits").isEqualTo(0600);
            assertThat(f.writable()).isTrue();
            assertThat(f.mutable()).as("new files are immutable by default").isFalse();
        }

        @Test
        void namesKeepTheirCaseAndTheirUnicode() throws Exception {
            String upper = "/Gr\u00fc\u00dfe, World.txt";
            String lower = "/gr\u00fc\u00dfe, world.txt";
            writeFile(vfs, upper, bytes("a"));
            writeFile(vfs, lower, bytes("bb"));
            assertThat(names(vfs.readdir("/"))).containsExactlyInAnyOrder(upper.substring(1), lower.substring(1));
            assertThat(vfs.stat(upper).size()).isEqualTo(1);
            assertThat(text(readFile(vfs, lower))).isEqualTo("bb");
        }

        @Test
        void statfsReportsTheGridsSpaceInPositiveNumbers() throws Exception {
            FileSystemStats stats = vfs.statfs();
            assertThat(stats.totalBytes()).isPositive();
            assertThat(stats.freeBytes()).isPositive().isLessThanOrEqualTo(stats.totalBytes());
            assertThat(stats.availableBytes()).isPositive().isLessThanOrEqualTo(stats.totalBytes());
            assertThat(stats.blockSize()).isPositive();
            assertThat(stats.files()).isGreaterThanOrEqualTo(0);
        }
    }

    // ---------------------------------------------------------------- readdir

    @Nested
    @DisplayName("readdir")
    class Readdir {
        @Test
        void readdirGivesEveryNameWithItsAttributesInOnePass() throws Exception {
            writeFile(vfs, "/a.txt", bytes("abc"));
            writeFile(vfs, "/b.bin", random(70_000, 2));
            vfs.mkdir("/sub");
            List<DirectoryListing> listing = vfs.readdir("/");
            assertThat(names(listing)).containsExactlyInAnyOrder("a.txt", "b.bin", "sub");
            for (DirectoryListing entry : listing) {
                FileAttributes stat = vfs.stat("/" + entry.name());
                assertThat(entry.attributes().kind()).as(entry.name()).isEqualTo(stat.kind());
                assertThat(entry.attributes().size()).as(entry.name()).isEqualTo(stat.size());
                assertThat(entry.attributes().mode()).as(entry.name()).isEqualTo(stat.mode());
                assertThat(entry.attributes().modified()).as(entry.name()).isEqualTo(stat.modified());
            }
            assertThat(attributes(listing, "a.txt").size()).isEqualTo(3);
            assertThat(attributes(listing, "b.bin").size()).isEqualTo(70_000);
            assertThat(attributes(listing, "sub").isDirectory()).isTrue();
        }

        @Test
        void readdirOfAnEmptyDirectoryIsEmptyWithoutDotEntries() throws Exception {
            assertThat(vfs.readdir("/")).isEmpty();
            vfs.mkdir("/empty");
            assertThat(vfs.readdir("/empty")).isEmpty();
            assertThat(names(vfs.readdir("/"))).containsExactly("empty");
        }

        @Test
        void readdirOfAMissingNameIsENOENTAndOfAFileENOTDIR() throws Exception {
            assertFails(() -> vfs.readdir("/missing"), ENOENT);
            writeFile(vfs, "/file", bytes("x"));
            assertFails(() -> vfs.readdir("/file"), ENOTDIR);
        }
    }

    // ---------------------------------------------------------------- files: read & write

    @Nested
    @DisplayName("files: create, write, read")
    class FilesReadWrite {
        @Test
        void aCreatedFileReadsBackWhatWasWritten() throws Exception {
            byte[] data = random(300_000, 3);
            writeFile(vfs, "/data.bin", data);
            assertThat(vfs.stat("/data.bin").size()).isEqualTo(data.length);
            assertThat(readFile(vfs, "/data.bin")).isEqualTo(data);
        }

        @Test
        void anEmptyFileExistsWithSizeZero() throws Exception {
            vfs.open("/empty", options(CREATE, WRITE)).close();
            assertThat(vfs.stat("/empty").size()).isZero();
            assertThat(readFile(vfs, "/empty")).isEmpty();
        }

        @Test
        void readsAtAnOffsetFillTheBufferWhereAskedAndStopAtTheEnd() throws Exception {
            writeFile(vfs, "/hello", bytes("hello world"));
            try (FileHandle h = vfs.open("/hello", options(READ))) {
                byte[] buffer = new byte[10];
                Arrays.fill(buffer, (byte) '.');
                assertThat(h.read(6, buffer, 2, 5)).isEqualTo(5);
                assertThat(text(buffer)).isEqualTo("..world...");
                assertThat(h.read(8, buffer, 0, 10)).as("a read across the end is short").isEqualTo(3);
                assertThat(h.read(11, buffer, 0, 10)).as("a read at the end").isZero();
                assertThat(h.read(1000, buffer, 0, 10)).as("a read past the end").isZero();
                assertThat(h.size()).isEqualTo(11);
            }
        }

        @Test
        void openingAMissingFileWithoutCreateIsENOENT() {
            assertFails(() -> vfs.open("/missing", options(READ)), ENOENT);
            assertFails(() -> vfs.open("/missing", options(WRITE)), ENOENT);
            assertFails(() -> vfs.open("/no-such-dir/new", options(CREATE, WRITE)), ENOENT);
        }

        @Test
        void anExclusiveCreateOfAnExistingFileIsEEXIST() throws Exception {
            writeFile(vfs, "/x", bytes("keep me"));
            assertFails(() -> vfs.open("/x", options(CREATE, EXCLUSIVE, WRITE)), EEXIST);
            assertThat(text(readFile(vfs, "/x"))).isEqualTo("keep me");
            try (FileHandle h = vfs.open("/y", options(CREATE, EXCLUSIVE, WRITE))) {
                write(h, 0, "new");
            }
            assertThat(text(readFile(vfs, "/y"))).isEqualTo("new");
            vfs.mkdir("/d");
            assertFails(() -> vfs.open("/d", options(CREATE, EXCLUSIVE, WRITE)), EEXIST);
        }

        @Test
        void truncateOnOpenCutsTheFileToZero() throws Exception {
            writeFile(vfs, "/t", bytes("hello world"));
            try (FileHandle h = vfs.open("/t", options(WRITE, TRUNCATE))) {
                assertThat(h.size()).isZero();
                write(h, 0, "hi");
            }
            assertThat(text(readFile(vfs, "/t"))).isEqualTo("hi");
        }

        @Test
        void appendWritesGoToTheEndWhateverTheOffset() throws Exception {
            writeFile(vfs, "/log", bytes("first\n"));
            try (FileHandle h = vfs.open("/log", options(WRITE, APPEND))) {
                write(h, 0, "second\n");
                write(h, 3, "third\n");
            }
            assertThat(text(readFile(vfs, "/log"))).isEqualTo("first\nsecond\nthird\n");
            try (FileHandle h = vfs.open("/new.log", options(CREATE, WRITE, APPEND))) {
                write(h, 100, "a");
                write(h, 0, "b");
            }
            assertThat(text(readFile(vfs, "/new.log"))).isEqualTo("ab");
        }

        @Test
        void writingInTheMiddleKeepsTheRest() throws Exception {
            writeFile(vfs, "/w", bytes("hello world"));
            try (FileHandle h = vfs.open("/w", options(WRITE))) {
                write(h, 6, "WORLD");
            }
            assertThat(text(readFile(vfs, "/w"))).isEqualTo("hello WORLD");
        }

        @Test
        void aLargeSparseWriteHasTheRightSizeAndAHoleThatReadsAsZeros() throws Exception {
            long offset = 50L * 1024 * 1024;
            try (FileHandle h = vfs.open("/sparse.bin", options(CREATE, WRITE))) {
                h.write(offset, new byte[] {42}, 0, 1);
                assertThat(h.size()).isEqualTo(offset + 1);
            }
            assertThat(vfs.stat("/sparse.bin").size()).isEqualTo(offset + 1);
            try (FileHandle h = vfs.open("/sparse.bin", options(READ))) {
                assertThat(readRange(h, 0, 65_536)).hasSize(65_536).containsOnly((byte) 0);
                assertThat(readRange(h, offset / 2 + 12_345, 65_536)).hasSize(65_536).containsOnly((byte) 0);
                byte[] tail = readRange(h, offset - 10, 100);
                assertThat(tail).hasSize(11);
                assertThat(Arrays.copyOf(tail, 10)).containsOnly((byte) 0);
                assertThat(tail[10]).isEqualTo((byte) 42);
            }
        }

        @Test
        void writingThroughAHandleOpenedForReadingIsEBADF() throws Exception {
            writeFile(vfs, "/r", bytes("read only handle"));
            try (FileHandle h = vfs.open("/r", options(READ))) {
                assertFails(() -> write(h, 0, "x"), EBADF);
            }
            assertThat(text(readFile(vfs, "/r"))).isEqualTo("read only handle");
        }

        @Test
        void openingADirectoryForWritingIsEISDIR() throws Exception {
            vfs.mkdir("/d");
            assertFails(() -> vfs.open("/d", options(WRITE)), EISDIR);
            assertFails(() -> vfs.open("/d", options(CREATE, WRITE, TRUNCATE)), EISDIR);
            assertFails(() -> vfs.open("/", options(WRITE)), EISDIR);
        }

        @Test
        void newFilesAreMutableWhenConfiguredAndAreThenUpdatedInPlace() throws Exception {
            Vfs mdmf = newMount(fixture.client().with(c -> c.withNewFileFormat(MutableFormat.MDMF)));
            byte[] data = random(300_000, 4);
            writeFile(mdmf, "/m.bin", data);
            assertThat(mdmf.stat("/m.bin").mutable()).isTrue();
            mdmf.sync();
            String capBefore = fixture.rootDirnode().get("m.bin").map(DirectoryEntry::writeCap).orElse(null);
            assertThat(capBefore).as("a mutable file is linked by its write cap").isNotNull();

            try (FileHandle h = mdmf.open("/m.bin", options(WRITE))) {
                write(h, 200_000, "PATCH");
            }
            byte[] patched = data.clone();
            System.arraycopy(bytes("PATCH"), 0, patched, 200_000, 5);
            assertThat(readFile(mdmf, "/m.bin")).isEqualTo(patched);
            mdmf.sync();
            assertThat(fixture.rootDirnode().get("m.bin").map(DirectoryEntry::writeCap).orElse(null))
                    .as("updated in place: the same cap").isEqualTo(capBefore);
            Vfs other = secondMount();
            eventually("the second mount reads the patched mutable file",
                    () -> assertThat(readFile(other, "/m.bin")).isEqualTo(patched));
        }
    }

    // ---------------------------------------------------------------- truncate

    @Nested
    @DisplayName("truncate")
    class Truncate {
        @Test
        void truncatingAHandleDownCutsTheTail() throws Exception {
            writeFile(vfs, "/t", bytes("0123456789"));
            try (FileHandle h = vfs.open("/t", options(READ, WRITE))) {
                h.truncate(4);
                assertThat(h.size()).isEqualTo(4);
                assertThat(text(readAll(h))).isEqualTo("0123");
            }
            assertThat(vfs.stat("/t").size()).isEqualTo(4);
            assertThat(text(readFile(vfs, "/t"))).isEqualTo("0123");
        }

        @Test
        void truncatingAHandleUpAddsZeros() throws Exception {
            writeFile(vfs, "/t", bytes("abc"));
            try (FileHandle h = vfs.open("/t", options(READ, WRITE))) {
                h.truncate(10);
                assertThat(h.size()).isEqualTo(10);
            }
            assertThat(readFile(vfs, "/t")).isEqualTo(new byte[] {'a', 'b', 'c', 0, 0, 0, 0, 0, 0, 0});
        }

        @Test
        void truncateByPathDownThenUp() throws Exception {
            writeFile(vfs, "/t", bytes("hello world"));
            vfs.truncate("/t", 5);
            assertThat(vfs.stat("/t").size()).isEqualTo(5);
            assertThat(text(readFile(vfs, "/t"))).isEqualTo("hello");
            vfs.truncate("/t", 8);
            assertThat(vfs.stat("/t").size()).isEqualTo(8);
            assertThat(readFile(vfs, "/t")).isEqualTo(new byte[] {'h', 'e', 'l', 'l', 'o', 0, 0, 0});
            vfs.truncate("/t", 0);
            assertThat(readFile(vfs, "/t")).isEmpty();
        }

        @Test
        void truncateByPathIsSeenByAnOpenHandle() throws Exception {
            try (FileHandle h = vfs.open("/t", options(CREATE, READ, WRITE))) {
                write(h, 0, "hello world");
                vfs.truncate("/t", 5);
                assertThat(h.size()).isEqualTo(5);
                assertThat(text(readAll(h))).isEqualTo("hello");
            }
            assertThat(text(readFile(vfs, "/t"))).isEqualTo("hello");
        }

        @Test
        void truncateOfADirectoryIsEISDIRAndOfAMissingNameENOENT() throws Exception {
            vfs.mkdir("/d");
            assertFails(() -> vfs.truncate("/d", 0), EISDIR);
            assertFails(() -> vfs.truncate("/missing", 0), ENOENT);
        }

        @Test
        void truncateToANegativeSizeIsEINVAL() throws Exception {
            writeFile(vfs, "/t", bytes("abc"));
            assertFails(() -> vfs.truncate("/t", -1), EINVAL);
            try (FileHandle h = vfs.open("/t", options(WRITE))) {
                assertFails(() -> h.truncate(-1), EINVAL);
            }
            assertThat(text(readFile(vfs, "/t"))).isEqualTo("abc");
        }
    }

    // ---------------------------------------------------------------- mkdir & rmdir

    @Nested
    @DisplayName("mkdir and rmdir")
    class MkdirRmdir {
        @Test
        void mkdirMakesAnEmptyDirectoryThatHoldsFilesAndDirectories() throws Exception {
            vfs.mkdir("/d");
            assertThat(vfs.stat("/d").isDirectory()).isTrue();
            assertThat(vfs.stat("/d").writable()).isTrue();
            assertThat(vfs.readdir("/d")).isEmpty();
            vfs.mkdir("/d/e");
            writeFile(vfs, "/d/e/f.txt", bytes("deep"));
            assertThat(names(vfs.readdir("/d"))).containsExactly("e");
            assertThat(text(readFile(vfs, "/d/e/f.txt"))).isEqualTo("deep");
        }

        @Test
        void mkdirOfAnExistingNameIsEEXIST() throws Exception {
            vfs.mkdir("/d");
            writeFile(vfs, "/f", bytes("file"));
            assertFails(() -> vfs.mkdir("/d"), EEXIST);
            assertFails(() -> vfs.mkdir("/f"), EEXIST);
            assertFails(() -> vfs.mkdir("/"), EEXIST);
            assertThat(text(readFile(vfs, "/f"))).isEqualTo("file");
        }

        @Test
        void mkdirUnderAMissingParentIsENOENT() {
            assertFails(() -> vfs.mkdir("/missing/d"), ENOENT);
        }

        @Test
        void rmdirRemovesAnEmptyDirectory() throws Exception {
            vfs.mkdir("/d");
            vfs.rmdir("/d");
            assertFails(() -> vfs.stat("/d"), ENOENT);
            assertThat(vfs.readdir("/")).isEmpty();
        }

        @Test
        void rmdirOfANonEmptyDirectoryIsENOTEMPTY() throws Exception {
            vfs.mkdir("/d");
            writeFile(vfs, "/d/f", bytes("inside"));
            assertFails(() -> vfs.rmdir("/d"), ENOTEMPTY);
            assertThat(text(readFile(vfs, "/d/f"))).isEqualTo("inside");
        }

        @Test
        void rmdirOfAFileIsENOTDIRAndOfAMissingNameENOENT() throws Exception {
            writeFile(vfs, "/f", bytes("file"));
            assertFails(() -> vfs.rmdir("/f"), ENOTDIR);
            assertFails(() -> vfs.rmdir("/missing"), ENOENT);
            assertThat(text(readFile(vfs, "/f"))).isEqualTo("file");
        }
    }

    // ---------------------------------------------------------------- unlink

    @Nested
    @DisplayName("unlink")
    class Unlink {
        @Test
        void unlinkRemovesTheName() throws Exception {
            writeFile(vfs, "/f", bytes("bye"));
            writeFile(vfs, "/g", bytes("stay"));
            vfs.unlink("/f");
            assertFails(() -> vfs.stat("/f"), ENOENT);
            assertFails(() -> vfs.open("/f", options(READ)), ENOENT);
            assertThat(names(vfs.readdir("/"))).containsExactly("g");
        }

        @Test
        void unlinkOfADirectoryIsEISDIR() throws Exception {
            vfs.mkdir("/d");
            assertFails(() -> vfs.unlink("/d"), EISDIR);
            assertThat(vfs.stat("/d").isDirectory()).isTrue();
        }

        @Test
        void unlinkOfAMissingNameIsENOENT() {
            assertFails(() -> vfs.unlink("/missing"), ENOENT);
        }

        @Test
        void anOpenHandleKeepsReadingAfterUnlink() throws Exception {
            byte[] data = random(50_000, 5);
            writeFile(vfs, "/f", data);
            try (FileHandle h = vfs.open("/f", options(READ))) {
                vfs.unlink("/f");
                assertThat(readAll(h)).isEqualTo(data);
            }
            assertFails(() -> vfs.stat("/f"), ENOENT);
        }

        @Test
        void aNameCanBeCreatedAgainAfterUnlink() throws Exception {
            writeFile(vfs, "/f", bytes("first life"));
            vfs.unlink("/f");
            writeFile(vfs, "/f", bytes("second"));
            assertThat(text(readFile(vfs, "/f"))).isEqualTo("second");
            assertThat(vfs.stat("/f").size()).isEqualTo(6);
        }
    }

    // ---------------------------------------------------------------- rename

    @Nested
    @DisplayName("rename")
    class Rename {
        @Test
        void renameWithinADirectory() throws Exception {
            writeFile(vfs, "/a", bytes("content"));
            vfs.rename("/a", "/b");
            assertFails(() -> vfs.stat("/a"), ENOENT);
            assertThat(text(readFile(vfs, "/b"))).isEqualTo("content");
            assertThat(names(vfs.readdir("/"))).containsExactly("b");
        }

        @Test
        void renameAcrossDirectories() throws Exception {
            vfs.mkdir("/d1");
            vfs.mkdir("/d2");
            writeFile(vfs, "/d1/a", random(10_000, 6));
            vfs.rename("/d1/a", "/d2/b");
            assertThat(vfs.readdir("/d1")).isEmpty();
            assertThat(names(vfs.readdir("/d2"))).containsExactly("b");
            assertThat(readFile(vfs, "/d2/b")).isEqualTo(random(10_000, 6));
        }

        @Test
        void renameOverAnExistingFileReplacesIt() throws Exception {
            writeFile(vfs, "/new", bytes("new"));
            writeFile(vfs, "/target", bytes("old contents"));
            vfs.rename("/new", "/target");
            assertThat(text(readFile(vfs, "/target"))).isEqualTo("new");
            assertThat(vfs.stat("/target").size()).isEqualTo(3);
            assertFails(() -> vfs.stat("/new"), ENOENT);
            assertThat(names(vfs.readdir("/"))).containsExactly("target");
        }

        @Test
        void renameOverAnExistingFileNeverLeavesTheTargetMissing() throws Exception {
            vfs.mkdir("/incoming");
            vfs.mkdir("/live");
            writeFile(vfs, "/live/current", bytes("version 0"));
            vfs.sync();
            Vfs other = secondMount();
            eventually("the second mount sees the target",
                    () -> assertThat(text(readFile(other, "/live/current"))).isEqualTo("version 0"));

            AtomicBoolean done = new AtomicBoolean();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            AtomicInteger reads = new AtomicInteger();
            List<Thread> readers = new ArrayList<>();
            for (Vfs reader : List.of(vfs, other)) {
                Thread t = new Thread(() -> {
                    while (!done.get()) {
                        try {
                            String seen = text(readFile(reader, "/live/current"));
                            if (!seen.matches("version \\d+")) {
                                problems.add("read \"" + seen + "\"");
                            }
                            reads.incrementAndGet();
                            Thread.sleep(2);
                        } catch (VfsException e) {
                            problems.add(e.errno() + ": " + e.getMessage());
                        } catch (InterruptedException e) {
                            return;
                        } catch (RuntimeException e) {
                            problems.add(e.toString());
                        }
                    }
                }, "rename-reader");
                t.setDaemon(true);
                readers.add(t);
                t.start();
            }
            try {
                for (int i = 1; i <= 10; i++) {
                    writeFile(vfs, "/incoming/v" + i, bytes("version " + i));
                    vfs.rename("/incoming/v" + i, "/live/current");
                    assertThat(text(readFile(vfs, "/live/current"))).isEqualTo("version " + i);
                }
                vfs.sync();
                eventually("the second mount sees the last version",
                        () -> assertThat(text(readFile(other, "/live/current"))).isEqualTo("version 10"));
            } finally {
                done.set(true);
                for (Thread t : readers) {
                    t.join(10_000);
                }
            }
            assertThat(problems).as("what readers saw while the target was replaced").isEmpty();
            assertThat(reads.get()).isPositive();
            assertThat(vfs.readdir("/incoming")).isEmpty();
        }

        @Test
        void renameOfADirectoryOverAnEmptyDirectoryReplacesIt() throws Exception {
            vfs.mkdir("/d1");
            writeFile(vfs, "/d1/f", bytes("moved along"));
            vfs.mkdir("/d2");
            vfs.rename("/d1", "/d2");
            assertFails(() -> vfs.stat("/d1"), ENOENT);
            assertThat(names(vfs.readdir("/d2"))).containsExactly("f");
            assertThat(text(readFile(vfs, "/d2/f"))).isEqualTo("moved along");
        }

        @Test
        void renameOfADirectoryOverANonEmptyDirectoryIsENOTEMPTY() throws Exception {
            vfs.mkdir("/d1");
            vfs.mkdir("/d2");
            writeFile(vfs, "/d2/keep", bytes("keep"));
            assertFails(() -> vfs.rename("/d1", "/d2"), ENOTEMPTY);
            assertThat(vfs.stat("/d1").isDirectory()).isTrue();
            assertThat(text(readFile(vfs, "/d2/keep"))).isEqualTo("keep");
        }

        @Test
        void renameOfAFileOverADirectoryIsEISDIR() throws Exception {
            writeFile(vfs, "/f", bytes("file"));
            vfs.mkdir("/d");
            assertFails(() -> vfs.rename("/f", "/d"), EISDIR);
            assertThat(text(readFile(vfs, "/f"))).isEqualTo("file");
            assertThat(vfs.stat("/d").isDirectory()).isTrue();
        }

        @Test
        void renameOfADirectoryOverAFileIsENOTDIR() throws Exception {
            vfs.mkdir("/d");
            writeFile(vfs, "/f", bytes("file"));
            assertFails(() -> vfs.rename("/d", "/f"), ENOTDIR);
            assertThat(text(readFile(vfs, "/f"))).isEqualTo("file");
            assertThat(vfs.stat("/d").isDirectory()).isTrue();
        }

        @Test
        void renameOfAMissingNameIsENOENT() throws Exception {
            assertFails(() -> vfs.rename("/missing", "/b"), ENOENT);
            writeFile(vfs, "/a", bytes("a"));
            assertFails(() -> vfs.rename("/a", "/missing-dir/a"), ENOENT);
            assertThat(text(readFile(vfs, "/a"))).isEqualTo("a");
        }

        @Test
        void renameOfADirectoryIntoItselfIsEINVAL() throws Exception {
            vfs.mkdir("/d");
            vfs.mkdir("/d/sub");
            assertFails(() -> vfs.rename("/d", "/d/sub/d"), EINVAL);
            assertThat(names(vfs.readdir("/"))).containsExactly("d");
            assertThat(names(vfs.readdir("/d"))).containsExactly("sub");
        }

        @Test
        void renameOfANameToItselfChangesNothing() throws Exception {
            writeFile(vfs, "/same", bytes("same"));
            vfs.rename("/same", "/same");
            assertThat(text(readFile(vfs, "/same"))).isEqualTo("same");
        }

        @Test
        void renameOfADirectoryTakesItsContentsAlong() throws Exception {
            vfs.mkdir("/d");
            vfs.mkdir("/d/inner");
            writeFile(vfs, "/d/inner/f", bytes("along"));
            vfs.mkdir("/elsewhere");
            vfs.rename("/d", "/elsewhere/e");
            assertFails(() -> vfs.stat("/d"), ENOENT);
            assertThat(text(readFile(vfs, "/elsewhere/e/inner/f"))).isEqualTo("along");
        }

        @Test
        void anOpenFileKeepsBeingWrittenAfterRename() throws Exception {
            try (FileHandle h = vfs.open("/a", options(CREATE, WRITE))) {
                write(h, 0, "one ");
                vfs.rename("/a", "/b");
                write(h, 4, "two");
            }
            assertFails(() -> vfs.stat("/a"), ENOENT);
            assertThat(text(readFile(vfs, "/b"))).isEqualTo("one two");
            vfs.sync();
            Vfs other = secondMount();
            eventually("the second mount reads the renamed file",
                    () -> assertThat(text(readFile(other, "/b"))).isEqualTo("one two"));
            assertFails(() -> other.stat("/a"), ENOENT);
        }

        @Test
        void aFileRenamedRightAfterAWriteBackCloseArrivesUnderItsNewName() throws Exception {
            Vfs writeBack = newMount(fixture.client().writeBack());
            byte[] data = random(100_000, 7);
            writeFile(writeBack, "/upload.bin.filepart", data); // as WinSCP uploads: a temporary name, then rename
            writeBack.rename("/upload.bin.filepart", "/upload.bin");
            assertThat(readFile(writeBack, "/upload.bin")).isEqualTo(data);
            writeBack.sync();
            Vfs other = secondMount();
            eventually("the second mount reads the upload under its final name",
                    () -> assertThat(readFile(other, "/upload.bin")).isEqualTo(data));
            assertThat(names(other.readdir("/"))).containsExactly("upload.bin");
        }
        @Test
        void aSmallRewriteRightAfterALargeWriteBackCloseIsWhatStays() throws Exception {
            Vfs writeBack = newMount(fixture.client().writeBack());
            fixture.slowServers(200);
            writeFile(writeBack, "/f", random(300_000, 9)); // its upload is still under way...
            writeFile(writeBack, "/f", bytes("short")); // ...when a literal-sized version replaces it
            assertThat(text(readFile(writeBack, "/f"))).isEqualTo("short");
            fixture.serversUp();
            writeBack.sync();
            assertThat(text(readFile(writeBack, "/f"))).as("the older upload is not linked after").isEqualTo("short");
            Vfs other = secondMount();
            eventually("the second mount reads the last contents",
                    () -> assertThat(text(readFile(other, "/f"))).isEqualTo("short"));
        }
    }

    // ---------------------------------------------------------------- link

    @Nested
    @DisplayName("link")
    class Link {
        @Test
        void linkMakesASecondNameForTheSameContent() throws Exception {
            byte[] data = random(20_000, 8);
            writeFile(vfs, "/a", data);
            vfs.mkdir("/d");
            vfs.link("/a", "/d/b");
            assertThat(readFile(vfs, "/d/b")).isEqualTo(data);
            assertThat(vfs.stat("/d/b").size()).isEqualTo(data.length);
            vfs.unlink("/a");
            assertThat(readFile(vfs, "/d/b")).as("the other name keeps the content").isEqualTo(data);
            vfs.sync();
            assertThat(readFile(secondMount(), "/d/b")).isEqualTo(data);
        }

        @Test
        void linkOverAnExistingNameIsEEXIST() throws Exception {
            writeFile(vfs, "/a", bytes("a"));
            writeFile(vfs, "/b", bytes("b"));
            assertFails(() -> vfs.link("/a", "/b"), EEXIST);
            assertThat(text(readFile(vfs, "/b"))).isEqualTo("b");
        }

        @Test
        void linkOfAMissingNameIsENOENT() {
            assertFails(() -> vfs.link("/missing", "/b"), ENOENT);
            assertFails(() -> vfs.stat("/b"), ENOENT);
        }
    }

    // ---------------------------------------------------------------- metadata & permissions

    @Nested
    @DisplayName("metadata and permissions")
    class MetadataAndPermissions {
        @Test
        void aTimeSetRightAfterAWriteBackCloseKeepsBothTheContentsAndTheTime() throws Exception {
            // tar: write, close, utimens at once, while the upload (and its relink) finishes in the background.
            Vfs writer = newMount(fixture.client().writeBack());
            Instant time = Instant.parse("2001-09-09T01:46:40Z");
            for (int i = 0; i < 30; i++) {
                writeFile(writer, "/f" + i, random(2_000 + i, 100 + i));
                writer.setModified("/f" + i, time);
            }
            writer.sync();
            Vfs other = secondMount();
            for (int i = 0; i < 30; i++) {
                assertThat(readFile(other, "/f" + i)).as("/f%d", i).isEqualTo(random(2_000 + i, 100 + i));
                assertThat(other.stat("/f" + i).modified()).as("/f%d", i)
                        .isCloseTo(time, within(1, ChronoUnit.MILLIS));
            }
        }

        @Test
        void setModifiedShowsInStatAndReaddirAndOnTheGrid() throws Exception {
            Instant fileTime = Instant.parse("2001-09-09T01:46:40Z");
            Instant dirTime = Instant.parse("2020-02-29T12:34:56.250Z");
            writeFile(vfs, "/f", bytes("f"));
            vfs.mkdir("/d");
            vfs.setModified("/f", fileTime);
            vfs.setModified("/d", dirTime);
            assertThat(vfs.stat("/f").modified()).isCloseTo(fileTime, within(1, ChronoUnit.MILLIS));
            assertThat(vfs.stat("/d").modified()).isCloseTo(dirTime, within(1, ChronoUnit.MILLIS));
            assertThat(attributes(vfs.readdir("/"), "f").modified()).isCloseTo(fileTime, within(1, ChronoUnit.MILLIS));
            vfs.sync();
            Vfs other = secondMount();
            assertThat(other.stat("/f").modified()).isCloseTo(fileTime, within(1, ChronoUnit.MILLIS));
            assertThat(other.stat("/d").modified()).isCloseTo(dirTime, within(1, ChronoUnit.MILLIS));
        }

        @Test
        void setModifiedOfAMissingNameIsENOENT() {
            assertFails(() -> vfs.setModified("/missing", Instant.now()), ENOENT);
        }

        @Test
        void rewritingAFileMovesItsModifiedTimeForward() throws Exception {
            Instant old = Instant.parse("2001-09-09T01:46:40Z");
            writeFile(vfs, "/f", bytes("one"));
            vfs.setModified("/f", old);
            writeFile(vfs, "/f", bytes("two"));
            assertThat(vfs.stat("/f").modified()).isAfter(old.plusSeconds(1));
        }

        @Test
        void chmodWithoutTheOwnerWriteBitMakesAFileReadOnlyAndChmodBackRestoresIt() throws Exception {
            writeFile(vfs, "/f", bytes("precious"));
            vfs.chmod("/f", 0444);
            FileAttributes readOnly = vfs.stat("/f");
            assertThat(readOnly.writable()).isFalse();
            assertThat(readOnly.mode() & 0222).isZero();
            assertFails(() -> vfs.open("/f", options(WRITE)), EACCES);
            assertFails(() -> vfs.open("/f", options(WRITE, TRUNCATE)), EACCES);
            assertFails(() -> vfs.open("/f", options(CREATE, WRITE, TRUNCATE)), EACCES);
            assertFails(() -> vfs.truncate("/f", 0), EACCES);
            assertThat(text(readFile(vfs, "/f"))).isEqualTo("precious");

            vfs.chmod("/f", 0644);
            assertThat(vfs.stat("/f").writable()).isTrue();
            writeFile(vfs, "/f", bytes("changed"));
            assertThat(text(readFile(vfs, "/f"))).isEqualTo("changed");
        }

        @Test
        void chmodWithoutTheOwnerWriteBitMakesADirectoryReadOnly() throws Exception {
            vfs.mkdir("/d");
            writeFile(vfs, "/d/f", bytes("inside"));
            vfs.chmod("/d", 0555);
            FileAttributes d = vfs.stat("/d");
            assertThat(d.isDirectory()).isTrue();
            assertThat(d.writable()).isFalse();
            assertFails(() -> vfs.open("/d/new", options(CREATE, WRITE)), EACCES);
            assertFails(() -> vfs.mkdir("/d/sub"), EACCES);
            assertFails(() -> vfs.unlink("/d/f"), EACCES);
            assertFails(() -> vfs.rename("/d/f", "/moved"), EACCES);
            assertThat(names(vfs.readdir("/d"))).containsExactly("f");

            vfs.chmod("/d", 0755);
            assertThat(vfs.stat("/d").writable()).isTrue();
            writeFile(vfs, "/d/new", bytes("now allowed"));
            assertThat(names(vfs.readdir("/d"))).containsExactlyInAnyOrder("f", "new");
        }

        @Test
        void aMutableFileLinkedByItsReadCapIsReadOnly() throws Exception {
            MutableFileNode file = MutableFileNode.create(fixture.grid().client(), MutableFormat.SDMF,
                    bytes("read-only contents"));
            fixture.rootDirnode().link("ro.txt", file.readCap(), null, false);
            Vfs fresh = secondMount();
            FileAttributes ro = fresh.stat("/ro.txt");
            assertThat(ro.writable()).isFalse();
            assertThat(ro.size()).isEqualTo(18);
            assertThat(text(readFile(fresh, "/ro.txt"))).isEqualTo("read-only contents");
            assertFails(() -> fresh.open("/ro.txt", options(WRITE)), EACCES, EROFS);
            assertFails(() -> fresh.truncate("/ro.txt", 0), EACCES, EROFS);
            assertThat(file.read()).isEqualTo(bytes("read-only contents"));
        }

        @Test
        void aReadOnlyDirectoryCapInsideAWritableTreeRefusesEdits() throws Exception {
            Dirnode sub = Dirnode.create(fixture.grid().client(), MutableFormat.SDMF);
            sub.link("inside.txt", new LiteralCap(bytes("inside")), null, false);
            fixture.rootDirnode().link("ro-dir", sub.cap().readOnly().orElseThrow(), null, false);
            Vfs fresh = secondMount();
            FileAttributes ro = fresh.stat("/ro-dir");
            assertThat(ro.isDirectory()).isTrue();
            assertThat(ro.writable()).isFalse();
            assertThat(names(fresh.readdir("/ro-dir"))).containsExactly("inside.txt");
            assertThat(text(readFile(fresh, "/ro-dir/inside.txt"))).isEqualTo("inside");
            assertFails(() -> fresh.open("/ro-dir/new", options(CREATE, WRITE)), EACCES, EROFS);
            assertFails(() -> fresh.open("/ro-dir/inside.txt", options(WRITE)), EACCES, EROFS);
            assertFails(() -> fresh.mkdir("/ro-dir/sub"), EACCES, EROFS);
            assertFails(() -> fresh.unlink("/ro-dir/inside.txt"), EACCES, EROFS);
            assertFails(() -> fresh.rename("/ro-dir/inside.txt", "/out.txt"), EACCES, EROFS);
            assertThat(sub.list().keySet()).containsExactly("inside.txt");
        }
    }

    // ---------------------------------------------------------------- read-only root

    @Nested
    @DisplayName("read-only root")
    class ReadOnlyRoot {
        @Test
        void aReadOnlyRootReadsButRefusesEveryWriteWithEROFS() throws Exception {
            writeFile(vfs, "/f", bytes("content"));
            vfs.mkdir("/d");
            vfs.mkdir("/d/inner");
            vfs.sync();
            Vfs ro = newMount(fixture.client().readOnly());

            assertThat(ro.stat("/").writable()).isFalse();
            assertThat(ro.stat("/f").writable()).isFalse();
            assertThat(ro.stat("/d").writable()).isFalse();
            assertThat(names(ro.readdir("/"))).containsExactlyInAnyOrder("f", "d");
            assertThat(text(readFile(ro, "/f"))).isEqualTo("content");

            Instant when = Instant.parse("2001-09-09T01:46:40Z");
            Map<String, ThrowingCallable> writes = new LinkedHashMap<>();
            writes.put("create", () -> ro.open("/new", options(CREATE, WRITE)));
            writes.put("open for writing", () -> ro.open("/f", options(WRITE)));
            writes.put("open with truncate", () -> ro.open("/f", options(WRITE, TRUNCATE)));
            writes.put("open for appending", () -> ro.open("/f", options(WRITE, APPEND)));
            writes.put("mkdir", () -> ro.mkdir("/d2"));
            writes.put("rmdir", () -> ro.rmdir("/d/inner"));
            writes.put("unlink", () -> ro.unlink("/f"));
            writes.put("rename", () -> ro.rename("/f", "/g"));
            writes.put("rename across", () -> ro.rename("/f", "/d/f"));
            writes.put("link", () -> ro.link("/f", "/g"));
            writes.put("truncate", () -> ro.truncate("/f", 0));
            writes.put("setModified", () -> ro.setModified("/f", when));
            writes.put("chmod", () -> ro.chmod("/f", 0444));
            for (Map.Entry<String, ThrowingCallable> write : writes.entrySet()) {
                Throwable thrown = catchThrowable(write.getValue());
                assertThat(thrown).as(write.getKey() + " on a read-only root").isInstanceOf(VfsException.class);
                assertThat(((VfsException) thrown).errno()).as(write.getKey()).isEqualTo(EROFS);
                assertThat(thrown.getMessage()).as(write.getKey()).isNotBlank();
            }

            // Nothing happened, silently or otherwise.
            ro.sync();
            assertThat(names(vfs.readdir("/"))).containsExactlyInAnyOrder("f", "d");
            assertThat(names(vfs.readdir("/d"))).containsExactly("inner");
            assertThat(text(readFile(vfs, "/f"))).isEqualTo("content");
            assertThat(vfs.stat("/f").modified()).isNotEqualTo(when);
            assertThat(vfs.stat("/f").writable()).isTrue();
            assertThat(fixture.rootDirnode().list().keySet()).containsExactlyInAnyOrder("f", "d");
        }
    }

    // ---------------------------------------------------------------- concurrency & handles

    @Nested
    @DisplayName("concurrency and handles")
    class ConcurrencyAndHandles {
        @Test
        void twoHandlesOnOneFileSeeEachOthersWrites() throws Exception {
            try (FileHandle h1 = vfs.open("/shared", options(CREATE, READ, WRITE));
                    FileHandle h2 = vfs.open("/shared", options(READ, WRITE))) {
                write(h1, 0, "abcdef");
                assertThat(text(readAll(h2))).isEqualTo("abcdef");
                write(h2, 1, "XY");
                assertThat(text(readAll(h1))).isEqualTo("aXYdef");
                write(h2, 6, "gh");
                assertThat(h1.size()).isEqualTo(8);
                h1.truncate(4);
                assertThat(h2.size()).isEqualTo(4);
                assertThat(text(readAll(h2))).isEqualTo("aXYd");
            }
            assertThat(text(readFile(vfs, "/shared"))).isEqualTo("aXYd");
        }

        @Test
        void aHandleOpenedWhileAnotherWritesSeesTheUnpublishedBytes() throws Exception {
            writeFile(vfs, "/f", bytes("old"));
            try (FileHandle writer = vfs.open("/f", options(WRITE, TRUNCATE))) {
                write(writer, 0, "fresh bytes");
                assertThat(vfs.stat("/f").size()).isEqualTo(11);
                assertThat(text(readFile(vfs, "/f"))).isEqualTo("fresh bytes");
            }
        }

        @Test
        void theLastCloseOfSeveralHandlesPublishesAllTheirWrites() throws Exception {
            FileHandle h1 = vfs.open("/f", options(CREATE, WRITE));
            FileHandle h2 = vfs.open("/f", options(WRITE));
            write(h1, 0, "left ");
            write(h2, 5, "right");
            h1.close();
            write(h2, 10, "!");
            h2.close();
            assertThat(text(readFile(vfs, "/f"))).isEqualTo("left right!");
            Vfs other = secondMount();
            eventually("the second mount reads what both handles wrote",
                    () -> assertThat(text(readFile(other, "/f"))).isEqualTo("left right!"));
        }

        @Test
        void createsFromManyThreadsInOneDirectoryAllSurvive() throws Exception {
            int threads = 8;
            int perThread = 10;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    work.add(pool.submit(() -> {
                        for (int i = 0; i < perThread; i++) {
                            writeFile(vfs, name(thread, i), content(thread, i));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : work) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(vfs.readdir("/")).hasSize(threads * perThread);
            vfs.sync();
            Vfs other = secondMount();
            assertThat(other.readdir("/")).hasSize(threads * perThread);
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < perThread; i++) {
                    assertThat(readFile(other, name(t, i))).as(name(t, i)).isEqualTo(content(t, i));
                }
            }
        }

        /*
         * Through FUSE a close(2) returns before the kernel's release reaches the VFS (and a path's truncate or
         * rename can arrive while another handle's release is still staging the file): what the last close
         * staged is what the name shows, at every moment of that close and right after it.
         */
        @Test
        void aNameShowsWhatItsLastCloseStagesWhileThatCloseRuns() throws Exception {
            for (byte[] contents : List.of(bytes("goodbye!"), random(3_000, 7))) {
                for (int round = 0; round < 20; round++) {
                    Future<?> closing = closeAside(rewrittenUnderAReader("/c", contents));
                    while (!closing.isDone()) {
                        assertThat(vfs.stat("/c").size()).isEqualTo(contents.length);
                    }
                    closing.get(60, TimeUnit.SECONDS);
                    assertThat(vfs.stat("/c").size()).isEqualTo(contents.length);
                    assertThat(readFile(vfs, "/c")).isEqualTo(contents);
                }
            }
        }

        @Test
        void aFileRenamedAsItsLastCloseRunsMovesWithItsNewContents() throws Exception {
            for (byte[] contents : List.of(bytes("goodbye!"), random(3_000, 8))) {
                for (int round = 0; round < 20; round++) {
                    Future<?> closing = closeAside(rewrittenUnderAReader("/r", contents));
                    vfs.rename("/r", "/moved");
                    closing.get(60, TimeUnit.SECONDS);
                    assertThat(names(vfs.readdir("/"))).contains("moved").doesNotContain("r");
                    assertThat(readFile(vfs, "/moved")).isEqualTo(contents);
                    vfs.unlink("/moved");
                }
            }
        }

        @Test
        void aFileReopenedAndRewrittenAsItsLastCloseRunsKeepsTheNewestContents() throws Exception {
            for (byte[] contents : List.of(bytes("goodbye!"), random(3_000, 9))) {
                for (int round = 0; round < 20; round++) {
                    Future<?> closing = closeAside(rewrittenUnderAReader("/w", contents));
                    byte[] newest = bytes("newest " + round);
                    try (FileHandle writer = vfs.open("/w", options(WRITE, TRUNCATE))) {
                        writer.write(0, newest, 0, newest.length);
                    }
                    closing.get(60, TimeUnit.SECONDS);
                    assertThat(readFile(vfs, "/w")).isEqualTo(newest);
                }
            }
            vfs.sync();
            assertThat(vfs.status().failedUploads()).isEmpty();
            assertThat(text(readFile(vfs, "/w"))).isEqualTo("newest 19");
        }

        /** Writes "hello", opens a reader, rewrites the file through a second handle; returns the reader. */
        private FileHandle rewrittenUnderAReader(String path, byte[] contents) throws Exception {
            writeFile(vfs, path, bytes("hello"));
            FileHandle reader = vfs.open(path, options(READ));
            try (FileHandle writer = vfs.open(path, options(WRITE, TRUNCATE))) {
                writer.write(0, contents, 0, contents.length);
            }
            return reader; // its close is now the file's last
        }

        private Future<?> closeAside(FileHandle handle) {
            ExecutorService closer = Executors.newSingleThreadExecutor();
            try {
                return closer.submit(() -> {
                    handle.close();
                    return null;
                });
            } finally {
                closer.shutdown();
            }
        }

        private static String name(int thread, int i) {
            return String.format("/t%d-%02d", thread, i);
        }

        private static byte[] content(int thread, int i) {
            return i % 2 == 0 ? bytes("thread " + thread + " file " + i) : random(2_000 + i, thread * 100L + i);
        }
    }

    // ---------------------------------------------------------------- two clients

    @Nested
    @DisplayName("two clients on one grid")
    class TwoClients {
        @Test
        void aClosedFileIsVisibleToASecondMountWithinTheDirCacheTime() throws Exception {
            Vfs other = secondMount();
            assertFails(() -> other.stat("/f"), ENOENT); // the second mount has now looked, and may cache that
            byte[] data = random(40_000, 9);
            writeFile(vfs, "/f", data);
            eventually("the second mount reads the closed file",
                    () -> assertThat(readFile(other, "/f")).isEqualTo(data));
            assertThat(other.stat("/f").size()).isEqualTo(data.length);
        }

        @Test
        void theWriterSeesItsOwnWritesBeforeCloseWhileOtherMountsSeeTheOldVersion() throws Exception {
            writeFile(vfs, "/doc.txt", bytes("old version"));
            Vfs other = secondMount();
            eventually("the second mount reads the old version",
                    () -> assertThat(text(readFile(other, "/doc.txt"))).isEqualTo("old version"));

            byte[] fresh = bytes("new version, longer than the old one");
            try (FileHandle h = vfs.open("/doc.txt", options(READ, WRITE, TRUNCATE))) {
                h.write(0, fresh, 0, fresh.length);
                assertThat(readAll(h)).isEqualTo(fresh);
                assertThat(vfs.stat("/doc.txt").size()).isEqualTo(fresh.length);
                assertThat(readFile(vfs, "/doc.txt")).isEqualTo(fresh);

                assertThat(text(readFile(other, "/doc.txt"))).isEqualTo("old version");
                assertThat(other.stat("/doc.txt").size()).isEqualTo(11);
                Vfs third = secondMount(); // nothing cached: what the grid holds
                assertThat(text(readFile(third, "/doc.txt"))).isEqualTo("old version");
            }
            eventually("the second mount reads the new version after close",
                    () -> assertThat(readFile(other, "/doc.txt")).isEqualTo(fresh));
        }

        @Test
        void aFileReplacedByOneMountIsReadAfreshByTheOther() throws Exception {
            writeFile(vfs, "/f", bytes("v1"));
            Vfs other = secondMount();
            eventually("v1 is seen", () -> assertThat(text(readFile(other, "/f"))).isEqualTo("v1"));
            byte[] v2 = random(30_000, 10);
            writeFile(vfs, "/f", v2);
            eventually("v2 is seen, whole", () -> {
                assertThat(other.stat("/f").size()).isEqualTo(v2.length);
                assertThat(readFile(other, "/f")).isEqualTo(v2);
            });
        }

        @Test
        void anUnlinkAndARenameShowInTheSecondMount() throws Exception {
            writeFile(vfs, "/gone", bytes("gone"));
            writeFile(vfs, "/from", bytes("moving"));
            Vfs other = secondMount();
            eventually("both names are seen",
                    () -> assertThat(names(other.readdir("/"))).containsExactlyInAnyOrder("gone", "from"));
            vfs.unlink("/gone");
            vfs.rename("/from", "/to");
            eventually("the unlink and the rename are seen", () -> {
                assertThat(names(other.readdir("/"))).containsExactly("to");
                assertFails(() -> other.stat("/gone"), ENOENT);
                assertThat(text(readFile(other, "/to"))).isEqualTo("moving");
            });
        }

        @Test
        void aChmodShowsInTheSecondMount() throws Exception {
            writeFile(vfs, "/f", bytes("f"));
            Vfs other = secondMount();
            eventually("the file is seen writable", () -> assertThat(other.stat("/f").writable()).isTrue());
            vfs.chmod("/f", 0444);
            eventually("the file is seen read-only", () -> assertThat(other.stat("/f").writable()).isFalse());
            assertFails(() -> other.open("/f", options(WRITE)), EACCES);
        }

        @Test
        void twoMountsCreatingNamesInOneDirectoryAtOnceLoseNone() throws Exception {
            Vfs other = secondMount();
            vfs.stat("/");
            other.stat("/");
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> a = pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        writeFile(vfs, "/a" + i, bytes("from a " + i));
                    }
                    vfs.sync();
                    return null;
                });
                Future<?> b = pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        writeFile(other, "/b" + i, bytes("from b " + i));
                    }
                    other.sync();
                    return null;
                });
                a.get(60, TimeUnit.SECONDS);
                b.get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            Vfs third = secondMount();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                expected.add("a" + i);
                expected.add("b" + i);
            }
            assertThat(names(third.readdir("/"))).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(text(readFile(third, "/b7"))).isEqualTo("from b 7");
            eventually("each mount sees the other's names",
                    () -> {
                        assertThat(names(vfs.readdir("/"))).containsExactlyInAnyOrderElementsOf(expected);
                        assertThat(names(other.readdir("/"))).containsExactlyInAnyOrderElementsOf(expected);
                    });
        }
    }

    // ---------------------------------------------------------------- publishing, errors and status

    @Nested
    @DisplayName("sync, fsync, failed uploads and status")
    class PublishingAndErrors {
        /** Write-back, and directory edits wait for sync, fsync or close of the VFS, not for a timer. */
        private Client holdingEdits() {
            return fixture.client().writeBack().holdingEdits();
        }

        /** Close waits for the upload (the default), but directory edits wait for sync or fsync. */
        private Client holdingOnlyEdits() {
            return fixture.client().holdingEdits();
        }

        @Test
        void syncPublishesEveryPendingEdit() throws Exception {
            Vfs held = newMount(holdingEdits());
            held.mkdir("/d");
            writeFile(held, "/d/x", bytes("x"));
            writeFile(held, "/y", random(10_000, 11));
            held.sync();
            assertThat(fixture.rootDirnode().list().keySet()).containsExactlyInAnyOrder("d", "y");
            Vfs other = secondMount(); // nothing cached yet: what it sees is on the grid
            assertThat(text(readFile(other, "/d/x"))).isEqualTo("x");
            assertThat(readFile(other, "/y")).isEqualTo(random(10_000, 11));
            assertThat(held.status().directoriesWithPendingEdits()).isZero();
            assertThat(held.status().pendingUploads()).isEmpty();
        }

        @Test
        void fsyncOfADirectoryPublishesItsPendingEdits() throws Exception {
            vfs.mkdir("/d");
            vfs.sync();
            Vfs held = newMount(holdingOnlyEdits());
            writeFile(held, "/d/x", bytes("in d")); // uploaded by close; only the link waits
            assertThat(held.status().directoriesWithPendingEdits()).isPositive();
            held.fsyncDirectory("/d");
            Vfs other = secondMount();
            assertThat(names(other.readdir("/d"))).containsExactly("x");
            assertThat(text(readFile(other, "/d/x"))).isEqualTo("in d");
        }

        @Test
        void fsyncOfAFilePublishesItWhileItIsStillOpen() throws Exception {
            Vfs held = newMount(holdingEdits());
            byte[] data = random(64_000, 12);
            try (FileHandle h = held.open("/f", options(CREATE, WRITE))) {
                h.write(0, data, 0, data.length);
                h.fsync();
                Vfs other = secondMount();
                assertThat(readFile(other, "/f")).isEqualTo(data);
            }
        }

        @Test
        void aBurstOfCreatesInOneDirectoryCostsFarFewerPublishesThanFiles() throws Exception {
            int files = 200;
            vfs.stat("/");
            long before = fixture.seqnum(fixture.root());
            for (int i = 0; i < files; i++) {
                String name = String.format("/burst-%03d", i);
                writeFile(vfs, name, bytes("file " + i));
                assertThat(vfs.stat(name).size()).as("visible at once to its writer: " + name)
                        .isEqualTo(bytes("file " + i).length);
            }
            assertThat(vfs.readdir("/")).hasSize(files);
            vfs.sync();
            long publishes = fixture.seqnum(fixture.root()) - before;
            assertThat(publishes).as("publishes of the directory for %d creates", files)
                    .isPositive().isLessThanOrEqualTo(files / 4);
            assertThat(secondMount().readdir("/")).hasSize(files);
        }

        @Test
        void anUploadThatFailsIsReportedByFsync() throws Exception {
            byte[] data = random(100_000, 13);
            try (FileHandle h = vfs.open("/f", options(CREATE, WRITE))) {
                h.write(0, data, 0, data.length);
                fixture.serversDown();
                assertFails(h::fsync, EIO);
                fixture.serversUp();
                h.fsync();
            }
            assertThat(readFile(secondMount(), "/f")).isEqualTo(data);
        }

        @Test
        void aFailedUploadIsReportedByCloseOrKeptInTheSpoolAndReportedBySync() throws Exception {
            Vfs safe = newMount(fixture.client().with(c -> c.withCloseWait(Duration.ofSeconds(2))));
            byte[] data = random(100_000, 14);
            FileHandle h = safe.open("/failing.bin", options(CREATE, WRITE));
            h.write(0, data, 0, data.length);
            fixture.serversDown();
            Throwable closed = catchThrowable(h::close);
            if (closed != null) {
                // Reported by close (Tahoe's own SFTP frontend lost this error: ticket #1059).
                assertThat(closed).isInstanceOf(VfsException.class);
                assertThat(((VfsException) closed).errno()).isEqualTo(EIO);
                assertThat(closed.getMessage()).isNotBlank();
                return;
            }
            // Close said the data is safe: then it is in the spool, the status says so, and sync reports the failure.
            VfsStatus status = safe.status();
            List<String> outstanding = new ArrayList<>(status.pendingUploads());
            outstanding.addAll(status.failedUploads());
            assertThat(outstanding).as("pending or failed uploads").anyMatch(s -> s.contains("failing.bin"));
            assertFails(safe::sync, EIO);
            fixture.serversUp();
            // The spool still holds it: once the servers are back, sync gets it onto the grid (a sync may first
            // report the failure it already had, once).
            eventually("the spooled upload reaches the grid", spoolRetryDeadline(), safe::sync);
            assertThat(safe.status().pendingUploads()).isEmpty();
            assertThat(readFile(secondMount(), "/failing.bin")).isEqualTo(data);
        }

        @Test
        void statusReportsPendingUploadsPendingEditsAndCacheStats() throws Exception {
            Vfs held = newMount(holdingEdits());
            held.stat("/");
            held.readdir("/");
            held.readdir("/");
            writeFile(held, "/small", bytes("small"));
            assertThat(held.status().directoriesWithPendingEdits()).isPositive();

            FileHandle h = held.open("/pending.bin", options(CREATE, WRITE));
            byte[] data = random(100_000, 15);
            h.write(0, data, 0, data.length);
            fixture.serversDown();
            h.close(); // write-back: returns at once, the upload waits in the spool
            VfsStatus status = held.status();
            List<String> outstanding = new ArrayList<>(status.pendingUploads());
            outstanding.addAll(status.failedUploads());
            assertThat(outstanding).anyMatch(s -> s.contains("pending.bin"));
            assertThat(status.cacheStats()).isNotEmpty();

            fixture.serversUp();
            // A sync may report the earlier failure until the VFS has retried the upload.
            eventually("the spooled upload reaches the grid", spoolRetryDeadline(), held::sync);
            VfsStatus after = held.status();
            assertThat(after.pendingUploads()).noneMatch(s -> s.contains("pending.bin"));
            assertThat(after.directoriesWithPendingEdits()).isZero();
            assertThat(readFile(secondMount(), "/pending.bin")).isEqualTo(data);
        }
    }

    // ---------------------------------------------------------------- crash & restart

    @Nested
    @DisplayName("crash and restart")
    class CrashAndRestart {
        /**
         * A crash ends the process: a publish it had under way must not land later, over what the next run
         * publishes from the journal (it would bring back a name's older entry).
         */
        @Test
        void nothingReachesTheGridAfterACrash() throws Exception {
            Vfs first = newMount(fixture.client().writeBack().with(c -> c.withEditWindow(Duration.ZERO)));
            fixture.slowServers(100); // the root's publish is still under way when the crash comes
            writeFile(first, "/late.txt", bytes("published at once, slowly"));
            crashTracked(first);
            fixture.serversUp();
            long atCrash = fixture.seqnum(fixture.root());
            Thread.sleep(1_500); // longer than the publish would take on servers at full speed
            assertThat(fixture.seqnum(fixture.root())).as("root's version after the crash").isEqualTo(atCrash);
        }

        @Test
        void writesAcknowledgedByCloseSurviveACrashWithTheirUploadsPending() throws Exception {
            Client writeBack = fixture.client().writeBack();
            Vfs first = newMount(writeBack);
            first.mkdir("/docs");
            first.sync();

            Map<String, byte[]> files = new LinkedHashMap<>();
            for (int i = 0; i < 6; i++) {
                files.put("/note-" + i + ".txt", bytes("note " + i));
                files.put("/docs/report-" + i + ".bin", random(20_000 + i * 40_000, 100 + i));
            }
            fixture.slowServers(100); // the uploads stay in flight
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                writeFile(first, f.getKey(), f.getValue()); // write-back: close returns at once
            }
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                assertThat(first.stat(f.getKey()).size()).as(f.getKey()).isEqualTo(f.getValue().length);
            }
            fixture.serversDown();
            crashTracked(first);
            fixture.serversUp();

            Vfs restarted = track(restart(writeBack));
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                assertThat(readFile(restarted, f.getKey())).as("after restart: " + f.getKey())
                        .isEqualTo(f.getValue());
            }
            restarted.sync();
            assertThat(restarted.status().pendingUploads()).isEmpty();

            Vfs other = secondMount();
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                assertThat(readFile(other, f.getKey())).as("on the grid: " + f.getKey()).isEqualTo(f.getValue());
            }
            assertThat(other.readdir("/")).hasSize(7);
            assertThat(other.readdir("/docs")).hasSize(6);
        }

        @Test
        void aCrashKeepsEveryAcknowledgedOperationInOrder() throws Exception {
            Client held = fixture.client().writeBack().holdingEdits();
            Vfs first = newMount(held);
            writeFile(first, "/a", bytes("version one of a"));
            writeFile(first, "/a", random(5_000, 16)); // the last version wins
            writeFile(first, "/gone", bytes("deleted before the crash"));
            first.unlink("/gone");
            writeFile(first, "/tmp.part", random(8_000, 17));
            first.rename("/tmp.part", "/final");
            first.mkdir("/dir");
            writeFile(first, "/dir/x", bytes("in a new directory"));
            first.setModified("/dir/x", Instant.parse("2001-09-09T01:46:40Z"));
            crashTracked(first);

            Vfs restarted = track(restart(held));
            restarted.sync();
            Vfs other = secondMount();
            assertThat(names(other.readdir("/"))).containsExactlyInAnyOrder("a", "final", "dir");
            assertThat(readFile(other, "/a")).isEqualTo(random(5_000, 16));
            assertThat(readFile(other, "/final")).isEqualTo(random(8_000, 17));
            assertThat(text(readFile(other, "/dir/x"))).isEqualTo("in a new directory");
            assertThat(other.stat("/dir/x").modified())
                    .isCloseTo(Instant.parse("2001-09-09T01:46:40Z"), within(1, ChronoUnit.MILLIS));
            assertFails(() -> other.stat("/gone"), ENOENT);
            assertFails(() -> other.stat("/tmp.part"), ENOENT);
        }
    }

    // ---------------------------------------------------------------- unsupported

    @Nested
    @DisplayName("what Tahoe cannot express")
    class Unsupported {
        @Test
        void symlinkIsRefusedWithAClearErrno() throws Exception {
            writeFile(vfs, "/target", bytes("t"));
            assertUnsupported(() -> vfs.symlink("/target", "/link"));
            assertFails(() -> vfs.stat("/link"), ENOENT);
        }

        @Test
        void chownIsRefusedWithAClearErrno() throws Exception {
            writeFile(vfs, "/f", bytes("f"));
            assertUnsupported(() -> vfs.chown("/f", 1234, 1234));
            assertThat(text(readFile(vfs, "/f"))).isEqualTo("f");
        }

        @Test
        void mknodIsRefusedWithAClearErrno() throws Exception {
            assertUnsupported(() -> vfs.mknod("/fifo", 0010644));
            assertUnsupported(() -> vfs.mknod("/device", 0020644));
            assertFails(() -> vfs.stat("/fifo"), ENOENT);
            assertFails(() -> vfs.stat("/device"), ENOENT);
        }

        private void assertUnsupported(ThrowingCallable operation) {
            assertFails(operation, EPERM, ENOSYS, ENOTSUP);
        }
    }

    // ---------------------------------------------------------------- helpers

    protected static Set<OpenOption> options(OpenOption first, OpenOption... rest) {
        return EnumSet.of(first, rest);
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    protected static String text(byte[] bytes) {
        return new String(bytes, UTF_8);
    }

    /** {@code length} bytes that are the same for the same seed. */
    protected static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** Creates or replaces {@code path} with {@code data}, written in 64 KiB pieces, and closes it. */
    protected static void writeFile(Vfs fs, String path, byte[] data) throws VfsException {
        try (FileHandle h = fs.open(path, options(CREATE, WRITE, TRUNCATE))) {
            for (int at = 0; at < data.length; at += 65_536) {
                h.write(at, data, at, Math.min(65_536, data.length - at));
            }
        }
    }

    protected static void write(FileHandle h, long offset, String text) throws VfsException {
        byte[] b = bytes(text);
        h.write(offset, b, 0, b.length);
    }

    protected static byte[] readFile(Vfs fs, String path) throws VfsException {
        try (FileHandle h = fs.open(path, options(READ))) {
            return readAll(h);
        }
    }

    /** Everything from offset 0 to the end, in 50,000-byte reads. */
    protected static byte[] readAll(FileHandle h) throws VfsException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[50_000];
        long offset = 0;
        for (int n; (n = h.read(offset, buffer, 0, buffer.length)) > 0; offset += n) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** Up to {@code length} bytes at {@code offset}; fewer only at the end of the file. */
    protected static byte[] readRange(FileHandle h, long offset, int length) throws VfsException {
        byte[] buffer = new byte[length];
        int got = 0;
        for (int n; got < length && (n = h.read(offset + got, buffer, got, length - got)) > 0; got += n) {
            // reading
        }
        return Arrays.copyOf(buffer, got);
    }

    protected static List<String> names(List<DirectoryListing> listing) {
        return listing.stream().map(DirectoryListing::name).toList();
    }

    protected static FileAttributes attributes(List<DirectoryListing> listing, String name) {
        return listing.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + names(listing)))
                .attributes();
    }

    /** Asserts that {@code operation} fails with one of {@code allowed}, saying why; returns the failure. */
    protected static VfsException assertFails(ThrowingCallable operation, Errno... allowed) {
        Throwable thrown = catchThrowable(operation);
        assertThat(thrown).as("expected a VfsException with errno %s", Arrays.toString(allowed))
                .isInstanceOf(VfsException.class);
        VfsException e = (VfsException) thrown;
        assertThat(e.errno()).as("errno of \"%s\"", e.getMessage()).isIn((Object[]) allowed);
        assertThat(e.getMessage()).as("the message of a failure").isNotBlank();
        return e;
    }

    /** A check that may throw: an {@link AssertionError} or a {@link VfsException} means "not yet". */
    @FunctionalInterface
    protected interface Check {
        void run() throws Exception;
    }

    /**
     * How long a test waits for another client's change to show: several dir-cache-times
     * ({@link VfsFixture#visibilityDeadline()}). A frontend whose own caches add to that (FUSE's entry and
     * attribute timeouts, say) adds them here.
     */
    protected Duration visibilityDeadline() {
        return VfsFixture.visibilityDeadline();
    }

    /**
     * Repeats {@code check} until it passes or {@link #visibilityDeadline()} has passed: how a test waits
     * for another client's write to show, never with a fixed sleep.
     */
    protected void eventually(String what, Check check) throws Exception {
        eventually(what, visibilityDeadline(), check);
    }

    /**
     * How long a test gives an upload that failed while the servers were down to reach the grid once they are
     * back: the VFS may retry on a timer and report the old failure to a sync until then.
     */
    protected Duration spoolRetryDeadline() {
        return Duration.ofSeconds(30);
    }

    /** Repeats {@code check} until it passes or {@code limit} has passed. */
    protected static void eventually(String what, Duration limit, Check check) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError | VfsException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(what + ": not within " + limit, e);
                }
                Thread.sleep(25);
            }
        }
    }
}
