package org.lafsfs.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.VfsFixture;

/**
 * The request sequences of clients that users rely on, driven with MINA's SFTP
 * client speaking SFTP v3 as they do: WinSCP's resumable upload, restic's
 * exclusive create then rename, and an upload that replaces a file a reader
 * has open. Each must leave one file with the right content and time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientPatternsTest {
    @TempDir
    Path dir;

    private VfsFixture fixture;
    private LafsVfs served;
    private SftpServer server;
    private SftpTesting.Connection connection;
    private SftpClient sftp;

    @BeforeEach
    void serve() throws Exception {
        fixture = new VfsFixture(dir);
        VfsFixture.Client client = fixture.client();
        served = LafsVfs.open(client.grid(), client.root(), client.config());
        server = SftpTesting.serve(served, client.root());
        connection = SftpTesting.connect(server.port(), SftpTesting.USER, SftpTesting.userKey());
        sftp = SftpClientFactory.instance().createSftpClient(connection.session(),
                SftpVersionSelector.fixedVersionSelector(SftpConstants.SFTP_V3));
    }

    @AfterEach
    void stop() throws Exception {
        if (connection != null) {
            connection.close();
        }
        if (server != null) {
            server.close();
        }
        if (served != null) {
            served.close();
        }
        fixture.close();
    }

    private static byte[] data(int length, long seed) {
        byte[] d = new byte[length];
        new Random(seed).nextBytes(d);
        return d;
    }

    private byte[] read(String path) throws Exception {
        try (SftpClient.CloseableHandle h = sftp.open(path, OpenMode.Read)) {
            byte[] all = new byte[(int) sftp.stat(h).getSize()];
            for (int at = 0, n; at < all.length; at += n) {
                n = sftp.read(h, at, all, at, Math.min(32_768, all.length - at));
                assertThat(n).isPositive();
            }
            return all;
        }
    }

    /** WinSCP: upload to NAME.filepart, resume it at its size (no APPEND), rename over NAME, set the mtime. */
    @Test
    void winscpResumableUpload() throws Exception {
        byte[] content = data(700_000, 1);
        try (SftpClient.CloseableHandle h = sftp.open("/report.pdf", OpenMode.Write, OpenMode.Create,
                OpenMode.Truncate)) {
            sftp.write(h, 0, "an older version".getBytes());
        }
        try (SftpClient.CloseableHandle h = sftp.open("/report.pdf.filepart", OpenMode.Write, OpenMode.Create,
                OpenMode.Truncate)) {
            sftp.write(h, 0, content, 0, 300_000); // then the connection broke
        }
        long have = sftp.stat("/report.pdf.filepart").getSize();
        assertThat(have).isEqualTo(300_000);
        try (SftpClient.CloseableHandle h = sftp.open("/report.pdf.filepart", OpenMode.Write)) {
            for (long at = have; at < content.length; at += 32_768) {
                sftp.write(h, at, content, (int) at, (int) Math.min(32_768, content.length - at));
            }
        }
        sftp.getExtension(OpenSSHPosixRenameExtension.class).posixRename("/report.pdf.filepart", "/report.pdf");
        Instant mtime = Instant.parse("2024-05-06T07:08:09Z");
        sftp.setStat("/report.pdf", new Attributes().modifyTime(FileTime.from(mtime))
                .accessTime(FileTime.from(mtime)));

        assertThat(read("/report.pdf")).isEqualTo(content);
        assertThat(sftp.stat("/report.pdf").getModifyTime().toInstant()).isEqualTo(mtime);
        served.sync();
        assertThat(fixture.rootDirnode().list().keySet()).containsExactly("report.pdf");
    }

    /** restic: O_CREAT|O_EXCL a temporary name, fsetstat the mode, write, close, rename over the final name. */
    @Test
    void resticTemporaryFileThenRename() throws Exception {
        byte[] content = data(90_000, 2);
        String temp = "/data/ab/abcdef-restic-temp-123456";
        sftp.mkdir("/data");
        sftp.mkdir("/data/ab");
        try (SftpClient.CloseableHandle h = sftp.open(temp, OpenMode.Write, OpenMode.Create, OpenMode.Exclusive)) {
            sftp.setStat(h, new Attributes().perms(0600));
            sftp.write(h, 0, content);
        }
        Throwable again = catchThrowable(() -> sftp.open(temp, OpenMode.Write, OpenMode.Create, OpenMode.Exclusive));
        assertThat(((SftpException) again).getStatus()).as("O_EXCL of an existing name")
                .isEqualTo(SftpConstants.SSH_FX_FAILURE);
        sftp.getExtension(OpenSSHPosixRenameExtension.class).posixRename(temp, "/data/ab/abcdef");
        assertThat(read("/data/ab/abcdef")).isEqualTo(content);
        assertThat(sftp.stat("/data/ab/abcdef").getPermissions() & 0777).isEqualTo(0644);
        served.sync();
        assertThat(served.readdir("/data/ab")).hasSize(1);
    }

    /** sshfs and editors: write NAME.tmp, rename over NAME while a reader still has the old NAME open. */
    @Test
    void replacingAFileAReaderHasOpen() throws Exception {
        byte[] old = data(200_000, 3);
        byte[] fresh = data(150_000, 4);
        try (SftpClient.CloseableHandle h = sftp.open("/doc", OpenMode.Write, OpenMode.Create)) {
            sftp.write(h, 0, old);
        }
        try (SftpClient.CloseableHandle reader = sftp.open("/doc", OpenMode.Read)) {
            try (SftpClient.CloseableHandle h = sftp.open("/doc.tmp", OpenMode.Write, OpenMode.Create)) {
                sftp.write(h, 0, fresh);
            }
            sftp.getExtension(OpenSSHPosixRenameExtension.class).posixRename("/doc.tmp", "/doc");
            byte[] buffer = new byte[1000];
            int n = sftp.read(reader, 100_000, buffer, 0, buffer.length);
            assertThat(Arrays.copyOf(buffer, n)).as("the open reader keeps the old contents")
                    .isEqualTo(Arrays.copyOfRange(old, 100_000, 101_000));
        }
        assertThat(read("/doc")).isEqualTo(fresh);
    }
}
