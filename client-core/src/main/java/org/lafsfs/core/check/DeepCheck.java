package org.lafsfs.core.check;

import java.util.ArrayList;
import java.util.List;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.grid.Grid;

/**
 * Checks everything reachable from a directory, each object once (Tahoe's
 * deep-check), with the same options as a single check. Literal objects are
 * listed but not counted as checked, as Tahoe does: they have no shares.
 */
public final class DeepCheck {
    private final Grid grid;

    public DeepCheck(Grid grid) {
        this.grid = grid;
    }

    /** One object's results, under the path it was first reached by (empty for the root). */
    public record Checked(List<String> path, CheckAndRepairResults results) {
        public Checked {
            path = List.copyOf(path);
        }
    }

    /** Every object's results, the directories that could not be listed, and Tahoe's counters. */
    public record Results(List<Checked> objects, List<String> errors) {
        public Results {
            objects = List.copyOf(objects);
            errors = List.copyOf(errors);
        }

        private List<CheckAndRepairResults> distributed() {
            return objects.stream().map(Checked::results).filter(r -> !r.preRepair().isLiteral()).toList();
        }

        public int objectsChecked() {
            return distributed().size();
        }

        public int objectsHealthy() {
            return (int) distributed().stream().filter(r -> r.preRepair().healthy()).count();
        }

        public int objectsUnhealthy() {
            return objectsChecked() - objectsHealthy();
        }

        public int objectsUnrecoverable() {
            return (int) distributed().stream().filter(r -> !r.preRepair().recoverable()).count();
        }

        public int objectsHealthyAfterRepair() {
            return (int) distributed().stream().filter(r -> r.postRepair().healthy()).count();
        }

        public int objectsUnrecoverableAfterRepair() {
            return (int) distributed().stream().filter(r -> !r.postRepair().recoverable()).count();
        }

        public List<ShareLocator> corruptShares() {
            return distributed().stream().flatMap(r -> r.preRepair().corruptShares().stream()).toList();
        }

        public List<ShareLocator> corruptSharesAfterRepair() {
            return distributed().stream().flatMap(r -> r.postRepair().corruptShares().stream()).toList();
        }

        public int repairsAttempted() {
            return (int) distributed().stream().filter(CheckAndRepairResults::repairAttempted).count();
        }

        public int repairsSuccessful() {
            return (int) distributed().stream().filter(CheckAndRepairResults::repairSuccessful).count();
        }
    }

    public Results check(Cap root, CheckOptions options) {
        Checker checker = new Checker(grid);
        List<Checked> objects = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<String> errors = new ArrayList<>(new TreeWalker(grid).walk(root, (path, cap) -> {
            try {
                objects.add(new Checked(path, checker.check(cap, options)));
            } catch (RuntimeException e) { // one object that cannot be checked (a verify cap linked in) stops nothing
                failures.add((path.isEmpty() ? "<root>" : String.join("/", path)) + ": could not be checked: "
                        + Leases.message(e));
            }
        }));
        errors.addAll(failures);
        return new Results(objects, errors);
    }
}
