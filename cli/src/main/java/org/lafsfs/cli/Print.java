package org.lafsfs.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Lines for the user, in UTF-8 whatever the JVM's default charset (which a C
 * locale makes ASCII): names on the grid are Unicode, and a listing must not
 * turn them into question marks.
 */
final class Print {
    private Print() {
    }

    static void out(String line) {
        write(System.out, line);
    }

    static void err(String line) {
        write(System.err, line);
    }

    private static void write(PrintStream stream, String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        stream.write(bytes, 0, bytes.length);
        stream.flush();
    }
}
