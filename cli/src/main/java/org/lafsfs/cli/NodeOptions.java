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
        return nodeDir != null ? nodeDir : Path.of(System.getProperty("user.home"), ".lafsfs");
    }
}
