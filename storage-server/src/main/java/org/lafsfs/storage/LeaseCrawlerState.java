package org.lafsfs.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Where the lease crawler is and what it has done, as kept in the storage
 * directory so a restart resumes the cycle instead of starting it over (the
 * role of Tahoe's lease_checker.state, in a JSON format of our own).
 *
 * @param cycle the number of the cycle in progress, or of the next one between cycles (from 0)
 * @param cycleStarted when the cycle in progress started; null between cycles
 * @param prefixIndex index into {@link LeaseCrawler#PREFIXES} of the prefix directory in progress
 * @param lastCompleteBucket the last bucket of that prefix fully examined, or null for none yet
 * @param cycleToDate counts of the cycle in progress so far (of the last one, between cycles)
 * @param lastCycle the last completed cycle, or null before the first completes
 */
public record LeaseCrawlerState(long cycle, Instant cycleStarted, int prefixIndex, String lastCompleteBucket,
        CycleCounts cycleToDate, CompletedCycle lastCycle) {

    /** The file name in the storage directory; distinct from Tahoe's own files, which a Tahoe server may have left. */
    public static final String FILE_NAME = "lafsfs-lease-crawler.json";
    private static final String FORMAT = "lafsfs lease crawler state v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A finished cycle: when it ran and what it reclaimed. */
    public record CompletedCycle(long cycle, Instant started, Instant finished, CycleCounts counts) {
    }

    static final LeaseCrawlerState INITIAL = new LeaseCrawlerState(0, null, 0, null, CycleCounts.ZERO, null);

    public boolean inCycle() {
        return cycleStarted != null;
    }

    /** The prefix directory the crawler works on or starts at next. */
    public String nextPrefix() {
        return LeaseCrawler.PREFIXES.get(prefixIndex);
    }

    LeaseCrawlerState startCycle(Instant now) {
        return new LeaseCrawlerState(cycle, now, 0, null, CycleCounts.ZERO, lastCycle);
    }

    LeaseCrawlerState afterBucket(String bucket, CycleCounts counts) {
        return new LeaseCrawlerState(cycle, cycleStarted, prefixIndex, bucket, cycleToDate.plus(counts), lastCycle);
    }

    LeaseCrawlerState afterPrefix() {
        return new LeaseCrawlerState(cycle, cycleStarted, prefixIndex + 1, null, cycleToDate, lastCycle);
    }

    LeaseCrawlerState finishCycle(Instant now) {
        return new LeaseCrawlerState(cycle + 1, null, 0, null, cycleToDate,
                new CompletedCycle(cycle, cycleStarted, now, cycleToDate));
    }

    /** Reads a state file. */
    static LeaseCrawlerState read(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IOException("not a lease crawler state file");
        }
        int prefixIndex = required(root, "prefix-index").asInt();
        if (prefixIndex < 0 || prefixIndex >= LeaseCrawler.PREFIXES.size()) {
            throw new IOException("prefix index " + prefixIndex + " is out of range");
        }
        JsonNode last = root.path("last-cycle");
        CompletedCycle lastCycle = last.isObject() ? new CompletedCycle(required(last, "cycle").asLong(),
                instant(last, "started"), instant(last, "finished"), counts(required(last, "counts"))) : null;
        String bucket = root.path("last-complete-bucket").isTextual() ? root.get("last-complete-bucket").asText()
                : null;
        return new LeaseCrawlerState(required(root, "cycle").asLong(), instant(root, "cycle-started"), prefixIndex,
                bucket, counts(required(root, "cycle-to-date")), lastCycle);
    }

    /** Writes the state atomically: a crash leaves the old file or the new one, never half of one. */
    void write(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("cycle", cycle);
        root.put("cycle-started", cycleStarted == null ? null : cycleStarted.toString());
        root.put("prefix-index", prefixIndex);
        root.put("last-complete-bucket", lastCompleteBucket);
        root.set("cycle-to-date", json(cycleToDate));
        if (lastCycle != null) {
            ObjectNode last = root.putObject("last-cycle");
            last.put("cycle", lastCycle.cycle());
            last.put("started", lastCycle.started() == null ? null : lastCycle.started().toString());
            last.put("finished", lastCycle.finished().toString());
            last.set("counts", json(lastCycle.counts()));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static ObjectNode json(CycleCounts c) {
        ObjectNode o = JSON.createObjectNode();
        o.set("immutable", json(c.immutable()));
        o.set("mutable", json(c.mutable()));
        o.put("removed-buckets", c.removedBuckets());
        return o;
    }

    private static ObjectNode json(ShareCounts s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("examined-shares", s.examinedShares());
        o.put("examined-bytes", s.examinedBytes());
        o.put("removed-shares", s.removedShares());
        o.put("removed-bytes", s.removedBytes());
        return o;
    }

    private static CycleCounts counts(JsonNode o) throws IOException {
        return new CycleCounts(shareCounts(required(o, "immutable")), shareCounts(required(o, "mutable")),
                required(o, "removed-buckets").asLong());
    }

    private static ShareCounts shareCounts(JsonNode o) throws IOException {
        return new ShareCounts(required(o, "examined-shares").asLong(), required(o, "examined-bytes").asLong(),
                required(o, "removed-shares").asLong(), required(o, "removed-bytes").asLong());
    }

    private static JsonNode required(JsonNode o, String field) throws IOException {
        JsonNode v = o.get(field);
        if (v == null || !(v.isObject() || v.isIntegralNumber())) {
            throw new IOException("field '" + field + "' is missing or malformed");
        }
        return v;
    }

    private static Instant instant(JsonNode o, String field) throws IOException {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            return Instant.parse(v.asText());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IOException("field '" + field + "' is not a time");
        }
    }
}
