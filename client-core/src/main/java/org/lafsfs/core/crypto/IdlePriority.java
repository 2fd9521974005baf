package org.lafsfs.core.crypto;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Makes the calling thread the last in line for a core. Java's thread priorities are ignored on Linux,
 * so work done only for later (keys for the stash) would otherwise take a core from an untar or a read
 * whenever it happens to start in a quiet moment: one RSA key is 0.1-0.5 s of CPU that nothing can
 * interrupt. The thread's nice value is set to 19 with util-linux's {@code renice}, which any user may do to
 * their own threads; the thread is named to it by its kernel id, read from {@code /proc/thread-self}.
 */
final class IdlePriority {
    static final int NICE = 19;

    private IdlePriority() {
    }

    /**
     * Threads the caller starts afterwards inherit the value.
     *
     * @return whether the calling thread now runs at nice 19 (false where the system cannot say or do it)
     */
    static boolean lowerCurrentThread() {
        try {
            Path self = Path.of("/proc/thread-self");
            if (!Files.exists(self)) {
                return false; // not Linux
            }
            String tid = Files.readSymbolicLink(self).getFileName().toString(); // "<pid>/task/<tid>"
            Process renice = new ProcessBuilder("renice", "-n", Integer.toString(NICE), "-p", tid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!renice.waitFor(10, TimeUnit.SECONDS)) {
                renice.destroyForcibly();
                return false;
            }
            // Judged by the result: some renice builds add to the current value rather than set it.
            return renice.exitValue() == 0 && Integer.valueOf(NICE).equals(niceOf(tid));
        } catch (java.io.IOException | RuntimeException e) {
            return false; // no renice: the stash still fills, only less politely
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The nice value of one of this process's threads, by kernel id; null if it cannot be read. */
    static Integer niceOf(String tid) {
        try {
            String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
            // Fields after the parenthesised name: state is field 3, nice is field 19.
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(after[19 - 3]);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
