package org.lafsfs.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHFsyncExtension;
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
 * Tahoe ticket #1059: an upload that fails is a failed transfer. The client's
 * close (or fsync@openssh.com) of the file gets an error status with the
 * reason, never a silent success; once the grid is back, nothing was lost.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UploadFailureTest {
    @TempDir
    Path dir;

    private VfsFixture fixture;
    private LafsVfs served;
    private SftpServer server;
    private SftpTesting.Connection connection;

    @BeforeEach
    void serve() throws Exception {
        fixture = new VfsFixture(dir);
        VfsFixture.Client client = fixture.client().with(c -> c.withCloseWait(Duration.ofSeconds(30)));
        served = LafsVfs.open(client.grid(), client.root(), client.config());
        server = SftpTesting.serve(served, client.root());
        connection = SftpTesting.connect(server.port(), SftpTesting.USER, SftpTesting.userKey());
    }

    @AfterEach
    void stop() throws Exception {
        fixture.serversUp();
        if (connection != null) {
            connection.kill();
        }
        if (server != null) {
            server.close();
        }
        if (served != null) {
            served.close();
        }
        fixture.close();
    }

    private static byte[] data(int length) {
        byte[] d = new byte[length];
        new Random(7).nextBytes(d);
        return d;
    }

    @Test
    void aFailedUploadFailsTheClientsClose() throws Exception {
        // As OpenSSH's sftp, sshfs, rclone and restic speak: SFTP v3, whose closest status is FAILURE.
        SftpClient v3 = SftpClientFactory.instance().createSftpClient(connection.session(),
                SftpVersionSelector.fixedVersionSelector(SftpConstants.SFTP_V3));
        SftpClient.CloseableHandle h = v3.open("/upload.bin", OpenMode.Write, OpenMode.Create);
        v3.write(h, 0, data(200_000));
        fixture.serversDown();
        Throwable closed = catchThrowable(() -> v3.close(h));
        assertThat(closed).as("close of a file whose upload failed").isInstanceOf(SftpException.class);
        assertThat(((SftpException) closed).getStatus()).isEqualTo(SftpConstants.SSH_FX_FAILURE);
        assertThat(closed.getMessage()).contains("upload.bin");

        // The data was kept: with the grid back, it arrives.
        fixture.serversUp();
        served.sync();
        List<String> failed = served.status().failedUploads();
        assertThat(failed).noneMatch(s -> s.contains("upload.bin"));
        try (SftpClient.CloseableHandle r = v3.open("/upload.bin", OpenMode.Read)) {
            assertThat(v3.stat(r).getSize()).isEqualTo(200_000);
        }
    }

    @Test
    void aFailedUploadFailsFsync() throws Exception {
        SftpClient sftp = connection.sftp();
        try (SftpClient.CloseableHandle h = sftp.open("/synced.bin", OpenMode.Write, OpenMode.Create)) {
            sftp.write(h, 0, data(100_000));
            fixture.serversDown();
            Throwable synced = catchThrowable(() -> sftp.getExtension(OpenSSHFsyncExtension.class).fsync(h));
            assertThat(synced).isInstanceOf(SftpException.class);
            assertThat(((SftpException) synced).getStatus()).isEqualTo(SftpConstants.SSH_FX_FAILURE);
            fixture.serversUp();
            sftp.getExtension(OpenSSHFsyncExtension.class).fsync(h);
        }
        assertThat(sftp.stat("/synced.bin").getSize()).isEqualTo(100_000);
    }
}
