package org.lafsfs.sftp;

import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpHelper;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;
import org.lafsfs.vfs.Errno;
import org.lafsfs.vfs.VfsException;

/**
 * Every failure as the SFTP status the client's protocol version knows, with
 * the VFS's sentence as the message.
 *
 * <p>A {@link VfsException}'s errno becomes the most precise status of the
 * negotiated version (the table in docs/sftp.md); a status the version does
 * not define falls back to one it does, as OpenSSH's sftp-server reports
 * errnos to v3 clients: missing names are NO_SUCH_FILE, refusals
 * PERMISSION_DENIED, and the rest FAILURE with the reason in the message.
 * Other exceptions (MINA's own checks) keep MINA's status, likewise brought
 * within the version.
 */
final class ErrnoStatus implements SftpErrorStatusDataHandler {
    @Override
    public int resolveSubStatus(SftpSubsystemEnvironment subsystem, int id, Throwable e, int cmd, Object... args) {
        VfsException v = NioErrors.vfsCause(e);
        int status = v != null ? status(v.errno()) : SftpHelper.resolveSubstatus(e);
        return forVersion(status, subsystem.getVersion());
    }

    @Override
    public String resolveErrorMessage(SftpSubsystemEnvironment subsystem, int id, Throwable e, int subStatus, int cmd,
            Object... args) {
        VfsException v = NioErrors.vfsCause(e);
        if (v != null && v.getMessage() != null) {
            return v.getMessage();
        }
        String message = e.getMessage();
        return message != null && !message.isBlank() ? message : SftpHelper.resolveStatusMessage(subStatus);
    }

    /** The SFTP v6 status for an errno. */
    static int status(Errno errno) {
        return switch (errno) {
            case ENOENT -> SftpConstants.SSH_FX_NO_SUCH_FILE;
            case EACCES -> SftpConstants.SSH_FX_PERMISSION_DENIED;
            case EROFS -> SftpConstants.SSH_FX_WRITE_PROTECT;
            case EEXIST -> SftpConstants.SSH_FX_FILE_ALREADY_EXISTS;
            case ENOTEMPTY -> SftpConstants.SSH_FX_DIR_NOT_EMPTY;
            case ENOTDIR -> SftpConstants.SSH_FX_NOT_A_DIRECTORY;
            case EISDIR -> SftpConstants.SSH_FX_FILE_IS_A_DIRECTORY;
            case EINVAL -> SftpConstants.SSH_FX_INVALID_PARAMETER;
            case ENAMETOOLONG -> SftpConstants.SSH_FX_INVALID_FILENAME;
            case EBADF -> SftpConstants.SSH_FX_INVALID_HANDLE;
            case ENOSPC -> SftpConstants.SSH_FX_NO_SPACE_ON_FILESYSTEM;
            // What a grid cannot express (symbolic links, owners, device files) is not supported here.
            case EPERM, ENOSYS, ENOTSUP -> SftpConstants.SSH_FX_OP_UNSUPPORTED;
            case EIO, EXDEV, EFBIG -> SftpConstants.SSH_FX_FAILURE;
        };
    }

    /** The highest status code each SFTP version defines (draft-ietf-secsh-filexfer-02, -04, -05, -13). */
    private static int highest(int version) {
        if (version <= SftpConstants.SFTP_V3) {
            return SftpConstants.SSH_FX_OP_UNSUPPORTED;
        }
        if (version == SftpConstants.SFTP_V4) {
            return SftpConstants.SSH_FX_NO_MEDIA;
        }
        if (version == SftpConstants.SFTP_V5) {
            return SftpConstants.SSH_FX_LOCK_CONFLICT;
        }
        return SftpConstants.SSH_FX_NO_MATCHING_BYTE_RANGE_LOCK;
    }

    /** {@code status} if the version defines it, else the nearest one it does. */
    static int forVersion(int status, int version) {
        if (status <= highest(version)) {
            return status;
        }
        int fallback = switch (status) {
            case SftpConstants.SSH_FX_NO_SUCH_PATH, SftpConstants.SSH_FX_NOT_A_DIRECTORY ->
                    SftpConstants.SSH_FX_NO_SUCH_FILE;
            case SftpConstants.SSH_FX_WRITE_PROTECT, SftpConstants.SSH_FX_CANNOT_DELETE ->
                    SftpConstants.SSH_FX_PERMISSION_DENIED;
            default -> SftpConstants.SSH_FX_FAILURE;
        };
        return forVersion(fallback, version);
    }
}
