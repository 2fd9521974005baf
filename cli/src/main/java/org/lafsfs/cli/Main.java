package org.lafsfs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lafsfs} command. Each subcommand is a class of its own. */
@Command(name = "lafsfs", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Use a Tahoe-LAFS grid as an ordinary filesystem.",
        subcommands = {CapCommand.class, PutCommand.class, GetCommand.class, LsCommand.class, MkdirCommand.class,
            LinkCommands.Ln.class, LinkCommands.Mv.class, UnlinkCommand.class, AliasCommands.CreateAlias.class,
            AliasCommands.AddAlias.class, AliasCommands.ListAliases.class, StorageServerCommand.class,
            MountCommand.class, SftpServerCommand.class, UpCommand.class, StatusCommand.class,
            CheckCommand.class, DeepCheckCommand.class, ManifestCommand.class, DropUploadCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** --node-dir, given before or after the subcommand (an inherited option). */
    @CommandLine.Mixin
    NodeOptions node = new NodeOptions();

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (Throwable t) { // an Error escaping picocli must still end the process, with its story
            t.printStackTrace();
            code = 70;
        }
        System.exit(code);
    }

    /** Runs the command line and returns its exit code (for tests and for main). */
    public static int run(String... args) {
        Daemon.remember(args);
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new UserErrors());
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Errors a user can cause are one sentence on stderr and exit code 2, trouble
     * with files or the network one sentence and exit code 1; anything else is a
     * bug and keeps its stack trace.
     */
    static final class UserErrors implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed)
                throws Exception {
            if (e instanceof IllegalArgumentException) {
                cli.getErr().println("lafsfs: " + e.getMessage());
                return 2;
            }
            if (e instanceof java.io.IOException) {
                cli.getErr().println("lafsfs: " + e.getMessage());
                return 1;
            }
            throw e;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"lafsfs " + (version == null ? "(development build)" : version)
                    + ", compatible with Tahoe-LAFS 1.20"};
        }
    }
}
