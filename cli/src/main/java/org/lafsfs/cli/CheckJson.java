package org.lafsfs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.lafsfs.core.check.CheckAndRepairResults;
import org.lafsfs.core.check.CheckResults;
import org.lafsfs.core.check.DeepCheck;
import org.lafsfs.core.check.ShareLocator;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.grid.GridServer;

/**
 * Check results as Tahoe's web API gives them with {@code output=JSON}
 * (webapi.rst: t=check, t=check&repair=true, t=start-deep-check), key for
 * key, so scripts written for Tahoe read them. Servers are named by their
 * base32 node ids as in Tahoe; lafsfs adds {@code problems} (one line each,
 * with server names) and {@code repair-problems}.
 */
final class CheckJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private CheckJson() {
    }

    /** t=check: storage-index, summary, results. */
    static ObjectNode check(CheckResults r) {
        ObjectNode d = JSON.objectNode();
        d.put("storage-index", r.isLiteral() ? "" : r.storageIndex().toString());
        d.put("summary", r.summary());
        d.set("results", results(r));
        return d;
    }

    /** t=check&repair=true. */
    static ObjectNode checkAndRepair(CheckAndRepairResults r) {
        ObjectNode d = JSON.objectNode();
        d.put("storage-index", r.preRepair().isLiteral() ? "" : r.preRepair().storageIndex().toString());
        d.put("repair-attempted", r.repairAttempted());
        d.put("repair-successful", r.repairSuccessful());
        d.set("pre-repair-results", check(r.preRepair()));
        d.set("post-repair-results", check(r.postRepair()));
        ArrayNode problems = d.putArray("repair-problems");
        r.repairProblems().forEach(problems::add);
        return d;
    }

    static ObjectNode results(CheckResults r) {
        ObjectNode d = JSON.objectNode();
        if (r.isLiteral()) {
            d.put("healthy", true); // all Tahoe says of a LIT object
            return d;
        }
        d.put("count-happiness", r.happiness());
        d.put("count-shares-needed", r.sharesNeeded());
        d.put("count-shares-expected", r.sharesExpected());
        d.put("count-shares-good", r.sharesGood());
        d.put("count-good-share-hosts", r.goodShareHosts());
        d.put("count-recoverable-versions", r.recoverableVersions());
        d.put("count-unrecoverable-versions", r.unrecoverableVersions());
        ArrayNode responding = d.putArray("servers-responding");
        r.serversResponding().forEach(s -> responding.add(id(s)));
        ObjectNode sharemap = d.putObject("sharemap");
        r.sharemap().forEach((share, servers) -> {
            ArrayNode ids = sharemap.putArray(share);
            servers.stream().map(CheckJson::id).sorted().forEach(ids::add);
        });
        d.put("count-wrong-shares", r.wrongShares());
        d.set("list-corrupt-shares", locators(r.corruptShares()));
        d.put("count-corrupt-shares", r.corruptShares().size());
        d.putArray("list-incompatible-shares");
        d.put("count-incompatible-shares", 0);
        d.put("healthy", r.healthy());
        d.put("recoverable", r.recoverable());
        ArrayNode problems = d.putArray("problems");
        r.report().forEach(problems::add);
        return d;
    }

    /** t=start-deep-check (with repair=true, its pre- and post-repair counters), as finished. */
    static ObjectNode deepCheck(DeepCheck.Results r, String rootStorageIndex, boolean repair) {
        ObjectNode d = JSON.objectNode();
        d.put("finished", true);
        d.put("root-storage-index", rootStorageIndex);
        d.put("count-objects-checked", r.objectsChecked());
        if (repair) {
            d.put("count-objects-healthy-pre-repair", r.objectsHealthy());
            d.put("count-objects-unhealthy-pre-repair", r.objectsUnhealthy());
            d.put("count-objects-unrecoverable-pre-repair", r.objectsUnrecoverable());
            d.put("count-objects-healthy-post-repair", r.objectsHealthyAfterRepair());
            d.put("count-objects-unhealthy-post-repair", r.objectsChecked() - r.objectsHealthyAfterRepair());
            d.put("count-objects-unrecoverable-post-repair", r.objectsUnrecoverableAfterRepair());
            d.put("count-repairs-attempted", r.repairsAttempted());
            d.put("count-repairs-successful", r.repairsSuccessful());
            d.put("count-repairs-unsuccessful", r.repairsAttempted() - r.repairsSuccessful());
            d.put("count-corrupt-shares-pre-repair", r.corruptShares().size());
            d.put("count-corrupt-shares-post-repair", r.corruptSharesAfterRepair().size());
            d.set("list-corrupt-shares", locators(r.corruptShares()));
            d.set("list-remaining-corrupt-shares", locators(r.corruptSharesAfterRepair()));
        } else {
            d.put("count-objects-healthy", r.objectsHealthy());
            d.put("count-objects-unhealthy", r.objectsUnhealthy());
            d.put("count-objects-unrecoverable", r.objectsUnrecoverable());
            d.put("count-corrupt-shares", r.corruptShares().size());
            d.set("list-corrupt-shares", locators(r.corruptShares()));
        }
        ArrayNode unhealthy = d.putArray("list-unhealthy-files");
        for (DeepCheck.Checked c : r.objects()) {
            if (!c.results().preRepair().healthy()) {
                ArrayNode pair = unhealthy.addArray();
                ArrayNode path = pair.addArray();
                c.path().forEach(path::add);
                pair.add(repair ? checkAndRepair(c.results()) : check(c.results().preRepair()));
            }
        }
        ArrayNode errors = d.putArray("list-errors");
        r.errors().forEach(errors::add);
        return d;
    }

    private static ArrayNode locators(List<ShareLocator> corrupt) {
        ArrayNode list = JSON.arrayNode();
        for (ShareLocator c : corrupt) {
            list.addArray().add(id(c.server())).add(c.storageIndex().toString()).add(c.shnum());
        }
        return list;
    }

    /** A server as Tahoe names it in check results: the base32 of its node id. */
    static String id(GridServer server) {
        return Base32.encode(server.nodeId());
    }
}
