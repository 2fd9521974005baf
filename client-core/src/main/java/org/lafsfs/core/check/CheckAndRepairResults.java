package org.lafsfs.core.check;

import java.util.List;

/**
 * A check that may have repaired (Tahoe's CheckAndRepairResults). Without an
 * attempt, the post-repair results are the pre-repair ones; a repair counts as
 * successful only if the file was healthy afterwards.
 *
 * @param repairProblems why a repair failed or fell short (empty when none was needed or it worked)
 */
public record CheckAndRepairResults(CheckResults preRepair, CheckResults postRepair, boolean repairAttempted,
        boolean repairSuccessful, List<String> repairProblems) {
    public CheckAndRepairResults {
        repairProblems = List.copyOf(repairProblems);
    }

    static CheckAndRepairResults notRepaired(CheckResults results) {
        return new CheckAndRepairResults(results, results, false, false, List.of());
    }

    /** The state the object was left in. */
    public CheckResults latest() {
        return postRepair;
    }
}
