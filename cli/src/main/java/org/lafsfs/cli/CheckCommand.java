package org.lafsfs.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.check.CheckAndRepairResults;
import org.lafsfs.core.check.CheckOptions;
import org.lafsfs.core.check.CheckResults;
import org.lafsfs.core.check.Checker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lafsfs check [--verify] [--repair] [--add-lease] [--json] CAP|PATH},
 * as {@code tahoe check}: the text is tahoe_check.py's, the JSON Tahoe's
 * t=check (or t=check&repair=true) output.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check the health of a file or directory: which shares the servers hold.",
            "CAP|PATH is a cap (a verify cap will do), ALIAS:[SUBDIRS/]NAME or DIRCAP/[SUBDIRS/]NAME.",
            "Healthy means all N shares are there (and, with --verify, good); recoverable means at least k are."})
final class CheckCommand implements Callable<Integer> {
    @Mixin
    CheckFlags flags;

    @Parameters(paramLabel = "CAP|PATH")
    String where;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws IOException {
        NodeDirectory node = NodeDirectory.open(main.node.nodeDir());
        Aliases aliases = Aliases.load(node.path());
        CheckAndRepairResults r;
        try (GridSession session = GridSession.open(node)) {
            Cap cap = CheckTarget.resolve(where, aliases, session.grid());
            r = new Checker(session.grid()).check(cap, flags.options());
        }
        if (flags.json) {
            Print.out(PythonJson.dumps(flags.repair ? CheckJson.checkAndRepair(r) : CheckJson.check(r.preRepair()), 1));
        } else {
            print(r, flags.repair);
        }
        return 0;
    }

    static void print(CheckAndRepairResults r, boolean repair) {
        CheckResults pre = r.preRepair();
        Print.out("Summary: " + (repair ? (pre.healthy() ? "healthy" : "not healthy") : pre.summary()));
        Print.out(" storage index: " + (pre.isLiteral() ? "" : pre.storageIndex()));
        if (!pre.isLiteral()) {
            counters(pre, " ");
        }
        if (r.repairAttempted()) {
            Print.out(r.repairSuccessful() ? " repair successful" : " repair failed");
            r.repairProblems().forEach(p -> Print.out("  " + p));
            CheckResults post = r.postRepair();
            Print.out(" post-repair: " + post.summary());
            counters(post, "  ");
        }
    }

    private static void counters(CheckResults r, String indent) {
        Print.out(indent + "good-shares: " + r.sharesGood() + " (encoding is " + r.sharesNeeded() + "-of-"
                + r.sharesExpected() + ")");
        Print.out(indent + "wrong-shares: " + r.wrongShares());
        Print.out(indent + "happiness: " + r.happiness());
        if (!r.recoverable()) {
            Print.out(indent + "unrecoverable: fewer than " + r.sharesNeeded() + " good shares");
        }
        if (!r.corruptShares().isEmpty()) {
            Print.out(indent + "corrupt shares:");
            r.corruptShares().forEach(c -> Print.out(indent + " server " + c.server().name() + ", SI "
                    + c.storageIndex() + ", shnum " + c.shnum() + ": " + c.problem()));
        }
        if (!r.problems().isEmpty()) {
            Print.out(indent + "problems:");
            r.problems().forEach(p -> Print.out(indent + " " + p));
        }
    }

    /** The options check and deep-check share (Tahoe's verify=, repair=, add-lease= and output=JSON). */
    static final class CheckFlags {
        @Option(names = "--verify", description = "download and hash-check every share, not only count them")
        boolean verify;

        @Option(names = "--repair", description = "repair what is found unhealthy: re-upload missing shares"
                + " (immutable), republish the newest version to all N shares (mutable, needs the write cap)")
        boolean repair;

        @Option(names = "--add-lease", description = "add or renew this node's lease on every share found")
        boolean addLease;

        @Option(names = "--json", description = "print Tahoe's JSON check results")
        boolean json;

        CheckOptions options() {
            return new CheckOptions(verify, repair, addLease);
        }
    }
}
