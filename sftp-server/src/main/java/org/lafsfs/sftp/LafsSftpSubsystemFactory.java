package org.lafsfs.sftp;

import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.apache.sshd.sftp.server.UnsupportedAttributePolicy;

/** The "sftp" subsystem of the server: {@link LafsSftpSubsystem} with the VFS accessor and errno statuses. */
final class LafsSftpSubsystemFactory extends SftpSubsystemFactory {
    LafsSftpSubsystemFactory() {
        setFileSystemAccessor(VfsAccessor.INSTANCE);
        setErrorStatusDataHandler(new ErrnoStatus());
        setUnsupportedAttributePolicy(UnsupportedAttributePolicy.Warn);
    }

    @Override
    public Command createSubsystem(ChannelSession channel) {
        LafsSftpSubsystem subsystem = new LafsSftpSubsystem(channel, this);
        getRegisteredListeners().forEach(subsystem::addSftpEventListener);
        return subsystem;
    }
}
