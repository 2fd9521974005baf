package org.lafsfs.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.check.CheckAndRepairResults;
import org.lafsfs.core.check.DeepCheck;
import org.lafsfs.core.check.ShareLocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lafsfs deep-check [--verify] [--repair] [--add-lease] [--json] ROOT},
 * as {@code tahoe deep-check}: everything reachable from ROOT checked once,
 * unhealthy objects and corrupt shares named, the counts at the end. A
 * directory that cannot be listed is reported on stderr (exit code 1) and the
 * rest is still checked.
 */
@Command(name = "deep-check", mixinStandardHelpOptions = true,
        description = {"Check every file and directory reachable from a directory, each object once.",
            "ROOT is ALIAS:[SUBDIRS/], DIRCAP[/SUBDIRS] or [SUBDIRS] in tahoe:. Literal (LIT) objects hold their"
                + " data in the cap and are not counted."})
final class DeepCheckCommand implements Callable<Integer> {
    @Mixin
    CheckCommand.CheckFlags flags;

    @Option(names = {"-v", "--verbose"}, description = "a line for every object, not only the unhealthy ones")
    boolean verbose;

    @Parameters(paramLabel = "ROOT")
    String where;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws IOException {
        NodeDirectory node = NodeDirectory.open(main.node.nodeDir());
        Aliases aliases = Aliases.load(node.path());
        DeepCheck.Results r;
        DirectoryCap root;
        try (GridSession session = GridSession.open(node)) {
            root = CheckTarget.directory(where, aliases, session.grid());
            r = new DeepCheck(session.grid()).check(root, flags.options());
        }
        if (flags.json) {
            Print.out(PythonJson.dumps(CheckJson.deepCheck(r, root.storageIndex().map(Object::toString).orElse(""),
                    flags.repair), 1));
        } else {
            print(r);
        }
        r.errors().forEach(e -> Print.err("ERROR: " + e));
        return r.errors().isEmpty() ? 0 : 1;
    }

    private void print(DeepCheck.Results r) {
        for (DeepCheck.Checked c : r.objects()) {
            CheckAndRepairResults cr = c.results();
            String path = c.path().isEmpty() ? "<root>" : String.join("/", c.path());
            if (verbose || !cr.preRepair().healthy()) {
                Print.out(path + ": " + cr.preRepair().summary());
            }
            for (ShareLocator s : cr.preRepair().corruptShares()) {
                Print.out(" corrupt: server " + s.server().name() + ", SI " + s.storageIndex() + ", shnum "
                        + s.shnum() + ": " + s.problem());
            }
            if (cr.repairAttempted()) {
                Print.out(cr.repairSuccessful() ? " repair successful" : " repair failed");
                cr.repairProblems().forEach(p -> Print.out("  " + p));
            }
        }
        String pre = r.objectsHealthy() + " healthy, " + r.objectsUnhealthy() + " unhealthy, "
                + r.objectsUnrecoverable() + " unrecoverable, " + r.corruptShares().size() + " corrupt shares";
        if (!flags.repair) {
            Print.out("done: " + r.objectsChecked() + " objects checked, " + pre);
            return;
        }
        Print.out("done: " + r.objectsChecked() + " objects checked");
        Print.out(" pre-repair: " + pre);
        Print.out(" " + r.repairsAttempted() + " repairs attempted, " + r.repairsSuccessful() + " successful, "
                + (r.repairsAttempted() - r.repairsSuccessful()) + " failed");
        Print.out(" post-repair: " + r.objectsHealthyAfterRepair() + " healthy, "
                + (r.objectsChecked() - r.objectsHealthyAfterRepair()) + " unhealthy, "
                + r.objectsUnrecoverableAfterRepair() + " unrecoverable");
    }
}
