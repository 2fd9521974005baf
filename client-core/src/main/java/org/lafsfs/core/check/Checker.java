package org.lafsfs.core.check;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.ChkVerifierCap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableReadCap;
import org.lafsfs.core.cap.MutableWriteCap;
import org.lafsfs.core.grid.Grid;

/**
 * Checks (and with the options, verifies, repairs and renews the leases of)
 * any one object named by a cap: immutable files, mutable files, and
 * directories, which are checked as the file holding their entries. A repair
 * is attempted only when the check finds the object unhealthy; a second check
 * afterwards says whether it worked.
 */
public final class Checker {
    private static final int REPAIR_ATTEMPTS = 2;

    private final Grid grid;

    public Checker(Grid grid) {
        this.grid = grid;
    }

    /**
     * @throws IllegalArgumentException for a cap that names nothing checkable here (an unknown kind, or a mutable
     *     verify cap, which lacks the read key a servermap update needs)
     */
    public CheckAndRepairResults check(Cap cap, CheckOptions options) {
        Cap file = cap instanceof DirectoryCap dir ? dir.fileCap() : cap;
        if (file instanceof LiteralCap) {
            return CheckAndRepairResults.notRepaired(CheckResults.literal(cap));
        }
        if (file instanceof ChkCap || file instanceof ChkVerifierCap) {
            return checkImmutable(cap, file, options);
        }
        if (file instanceof MutableWriteCap || file instanceof MutableReadCap) {
            return checkMutable(cap, options);
        }
        throw new IllegalArgumentException("URI:" + cap.kind() + " cannot be checked"
                + (file.isVerifier() ? ": a mutable file is checked through its read or write cap" : ""));
    }

    private CheckAndRepairResults checkImmutable(Cap cap, Cap file, CheckOptions options) {
        ImmutableChecker checker = new ImmutableChecker(grid, file);
        ImmutableChecker.Survey survey = checker.survey(options.verify());
        CheckResults pre = checker.check(survey, options.addLease(), cap);
        if (!options.repair() || pre.healthy()) {
            return CheckAndRepairResults.notRepaired(pre);
        }
        List<String> problems = new ArrayList<>();
        if (!(file instanceof ChkCap readCap)) {
            problems.add("an immutable file is repaired through its read cap (its plaintext is re-encoded)");
        } else if (!pre.recoverable()) {
            problems.add("fewer than k good shares are left: the file cannot be read, so it cannot be repaired");
        } else {
            // A server that fails mid-repair loses the new shares it was given; a second attempt, on a fresh
            // survey that no longer lists it, places them elsewhere.
            for (int attempt = 1; attempt <= REPAIR_ATTEMPTS; attempt++) {
                try {
                    ImmutableChecker.Survey now = attempt == 1 ? survey : checker.survey(options.verify());
                    new ImmutableRepairer(grid, readCap).repair(now);
                    break;
                } catch (IOException | RuntimeException e) {
                    problems.add("repair attempt " + attempt + " failed: " + Leases.message(e));
                }
            }
        }
        return afterRepair(pre, checker.check(checker.survey(options.verify()), false, cap), problems);
    }

    private CheckAndRepairResults checkMutable(Cap cap, CheckOptions options) {
        MutableChecker checker = new MutableChecker(grid, cap);
        MutableChecker.Outcome pre = checker.check(options.verify(), options.addLease());
        // As Tahoe's mutable checker: corrupt shares call for a repair even when N good ones exist, since a
        // republish overwrites them (an immutable share, which cannot be overwritten, gets no such repair).
        if (!options.repair() || pre.results().healthy() && pre.results().corruptShares().isEmpty()) {
            return CheckAndRepairResults.notRepaired(pre.results());
        }
        List<String> problems = new ArrayList<>();
        try {
            new MutableRepairer(grid, checker.keys()).repair(pre.map());
        } catch (IOException | RuntimeException e) {
            problems.add("repair failed: " + Leases.message(e));
        }
        return afterRepair(pre.results(), checker.check(options.verify(), false).results(), problems);
    }

    private static CheckAndRepairResults afterRepair(CheckResults pre, CheckResults post, List<String> problems) {
        if (problems.isEmpty() && !post.healthy()) {
            problems.add("the file is still not healthy after the repair: " + post.summary());
        }
        return new CheckAndRepairResults(pre, post, true, post.healthy(), problems);
    }
}
