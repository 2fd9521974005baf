package org.lafsfs.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.UnknownCap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lafsfs cap CAP}: what a cap is and the weaker caps it gives, like {@code tahoe debug dump-cap}. */
@Command(name = "cap", mixinStandardHelpOptions = true,
        description = "Describe a Tahoe-LAFS cap: its kind, storage index and the weaker caps derived from it.")
final class CapCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CAP", description = "a cap such as URI:CHK:..., URI:DIR2:..., URI:MDMF-RO:...")
    String text;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Cap cap = Cap.parse(text.strip());
        PrintWriter out = spec.commandLine().getOut();
        if (cap instanceof UnknownCap) {
            throw new IllegalArgumentException("'" + text.strip() + "' is not a cap kind Tahoe-LAFS 1.20 defines");
        }
        out.println("kind:          " + cap.kind() + describe(cap));
        out.println("access:        " + (cap.isVerifier() ? "verify" : cap.isReadOnly() ? "read" : "write"));
        out.println("mutable:       " + (cap.isMutable() ? "yes" : "no"));
        cap.storageIndex().ifPresent(si -> out.println("storage index: " + si));
        Cap file = cap instanceof DirectoryCap dir ? dir.fileCap() : cap;
        if (file instanceof ChkCap chk) {
            out.println("encoding:      k=" + chk.neededShares() + " N=" + chk.totalShares());
            out.println("size:          " + chk.size());
        }
        if (!cap.isReadOnly()) {
            out.println("read cap:      " + cap.readOnly().orElseThrow());
        }
        cap.verifyCap().filter(v -> !v.equals(cap)).ifPresent(v -> out.println("verify cap:    " + v));
        out.flush();
        return 0;
    }

    private static String describe(Cap cap) {
        Cap file = cap instanceof DirectoryCap dir ? dir.fileCap() : cap;
        String what = cap instanceof DirectoryCap ? "directory" : "file";
        String format = switch (file.kind().split("-")[0]) {
            case "LIT" -> "literal (contents inside the cap)";
            case "CHK" -> "immutable (CHK)";
            case "SSK" -> "mutable (SDMF)";
            case "MDMF" -> "mutable (MDMF)";
            default -> file.kind();
        };
        return " (" + format + " " + what + ")";
    }
}
