package org.lafsfs.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The node directory option, accepted before or after a subcommand's name, in lafsfs's and Tahoe's spellings. */
final class NodeOptions {
    @Option(names = {"--node-dir", "-d", "--node-directory"}, paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "the Tahoe-LAFS client node directory (default ~/.lafsfs)")
    Path nodeDir;

    Path nodeDir() {
        if (nodeDir != null) {
            return nodeDir;
        }
        String home = System.getenv("HOME"); // what ~ means to the user, which Java's user.home may not be
        return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"), ".lafsfs");
    }
}
