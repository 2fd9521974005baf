package org.lafsfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CapCommandTest {
    // Caps written by a real Tahoe-LAFS 1.20 grid (testdata/tahoe-1.20, object dir-sdmf).
    private static final String DIR_WRITECAP =
            "URI:DIR2:i2hokirkv65isu4rxxls2gmpyi:6exqagg6uo6bl52dgl4uwpvr3wjeaq4ch45ds4yp36yow2uo5lxa";

    record Result(int exitCode, String out, String err) {
    }

    static Result run(String... args) {
        return runWithInput(new byte[0], args);
    }

    /** Runs lafsfs in this JVM with {@code input} as its standard input, capturing its output and exit code. */
    static Result runWithInput(byte[] input, String... args) {
        java.io.InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setIn(new java.io.ByteArrayInputStream(input));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void describesADirectoryWriteCapAndItsWeakerCaps() {
        Result r = run("cap", DIR_WRITECAP);
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("kind:          DIR2 (mutable (SDMF) directory)")
                .contains("access:        write")
                .contains("storage index: xsldgipgh2riznqintbxffjj64")
                .contains("read cap:      URI:DIR2-RO:jnnwtqxztk6k6ng4bhkusytfim:6exqagg6uo6bl52dgl4uwpvr3wjeaq4ch45ds4yp36yow2uo5lxa")
                .contains("verify cap:    URI:DIR2-Verifier:xsldgipgh2riznqintbxffjj64:");
    }

    @Test
    void aMalformedCapIsOneClearSentenceAndExitCodeTwo() {
        Result r = run("cap", DIR_WRITECAP.substring(0, DIR_WRITECAP.length() - 1));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("lafsfs: not a valid URI:DIR2 cap:")
                .contains("fingerprint must be 52 base32 characters").doesNotContain("Exception");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void anUnknownCapKindIsReportedAsSuch() {
        Result r = run("cap", "URI:FUTURE:abc");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("not a cap kind Tahoe-LAFS 1.20 defines");
    }

    @Test
    void versionAndHelpWork() {
        assertThat(run("--version").out()).contains("Tahoe-LAFS 1.20");
        assertThat(run("--help").out()).contains("cap");
    }
}
