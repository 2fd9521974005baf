package org.lafsfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code --daemon}: the same command again as a background process (a JVM
 * cannot fork), its output going to a log file; this process waits until
 * the background one is ready, says where it runs, and exits, so a shell
 * script can go on as with {@code sshfs} or {@code rclone mount --daemon}.
 */
final class Daemon {
    /** The command line this process was started with (for starting the same one in the background). */
    private static volatile String[] arguments = new String[0];

    private Daemon() {
    }

    static void remember(String[] args) {
        arguments = args.clone();
    }

    /**
     * Starts this command again without {@code --daemon}, in the background, and waits (at most
     * {@code seconds}) until {@code ready} holds. Returns the exit code for this process.
     */
    static int start(Path log, BooleanSupplier ready, int seconds, String what) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // The same JVM options (heap size, -Dfile.encoding, LAFSFS_JAVA_OPTS as ./lafsfs passed them).
        command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        for (String a : arguments) {
            if (!a.equals("--daemon")) {
                command.add(a);
            }
        }
        Files.createDirectories(log.getParent());
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (ready.getAsBoolean()) {
                Print.err("lafsfs: " + what + " in the background (pid " + child.pid() + ", log " + log + ")");
                return 0;
            }
            if (!child.isAlive()) {
                Print.err("lafsfs: the background process exited with " + child.exitValue() + ":");
                tail(log).forEach(line -> Print.err("  " + line));
                return 1;
            }
            Thread.sleep(100);
        }
        child.destroy();
        Print.err("lafsfs: the background process was not ready after " + seconds + " s; stopped it (log " + log
                + ")");
        return 1;
    }

    private static List<String> tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return lines.subList(Math.max(0, lines.size() - 10), lines.size());
        } catch (IOException e) {
            return List.of("(cannot read " + log + ": " + e.getMessage() + ")");
        }
    }
}
