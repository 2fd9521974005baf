package org.lafsfs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.check.CheckOptions;
import org.lafsfs.core.check.DeepCheck;
import org.lafsfs.core.grid.Grid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what {@code lafsfs up} serves alive on servers that collect garbage:
 * every {@code interval} (tahoe.cfg {@code [lafsfs] lease-renewal-interval},
 * a week by default, well inside Tahoe's 31-day leases) it renews this node's
 * lease on everything reachable from each served root (a deep-check with
 * add-lease). When it last did, and how it went, is kept in
 * NODEDIR/private/lease-renewal.json, so a restart waits out the rest of the
 * interval instead of starting over, and {@code lafsfs status} shows it.
 */
final class LeaseRenewal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseRenewal.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration DEFAULT_INTERVAL = Duration.ofDays(7);

    private final Grid grid;
    private final List<DirectoryCap> roots;
    private final Path stateFile;
    private final Duration interval;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lafsfs-lease-renewal");
        t.setDaemon(true);
        return t;
    });

    LeaseRenewal(Grid grid, List<DirectoryCap> roots, Path stateFile, Duration interval, Clock clock) {
        this.grid = grid;
        this.roots = List.copyOf(roots);
        this.stateFile = stateFile;
        this.interval = interval;
        this.clock = clock;
    }

    /** The interval from tahoe.cfg: "7d", "12h", "1h30m" (read as every [lafsfs] duration is); a week if unset. */
    static Duration interval(NodeDirectory node) {
        String key = "lease-renewal-interval";
        Duration d;
        try {
            d = org.lafsfs.cache.CacheConfig.duration(node.section("lafsfs"), key, DEFAULT_INTERVAL);
        } catch (IllegalArgumentException e) {
            d = Duration.ZERO;
        }
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("tahoe.cfg [lafsfs] lease-renewal-interval must be a positive"
                    + " duration such as 7d, 12h or 30m, not '" + node.get("lafsfs", key, "") + "'");
        }
        return d;
    }

    /** A failed renewal is tried again this soon (or after the interval, if that is shorter). */
    private static final Duration RETRY = Duration.ofHours(1);

    /**
     * Renews now if the last renewal is older than the interval (or never happened), then every interval;
     * one that failed (a root unreachable, the grid down) is tried again within an hour.
     */
    void start() {
        Instant last = last().orElse(Instant.EPOCH);
        long wait = Math.max(0, Duration.between(clock.instant(), last.plus(interval)).toMillis());
        schedule(wait);
    }

    private void schedule(long millis) {
        try {
            timer.schedule(this::renewAndReschedule, millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // stopping
        }
    }

    private void renewAndReschedule() {
        boolean done = false;
        try {
            done = renew().path("complete").asBoolean();
        } catch (IOException | RuntimeException e) {
            log.warn("renewing leases: {}", e.toString());
        }
        schedule((done ? interval : RETRY.compareTo(interval) < 0 ? RETRY : interval).toMillis());
    }

    /** Renews every lease below every root now; returns the record it keeps. */
    JsonNode renew() throws IOException {
        Instant started = clock.instant();
        int objects = 0;
        List<String> problems = new java.util.ArrayList<>();
        for (DirectoryCap root : roots) {
            DeepCheck.Results results = new DeepCheck(grid).check(root, new CheckOptions(false, false, true));
            objects += results.objectsChecked();
            problems.addAll(results.errors());
        }
        // A root that could not be walked at all was not renewed: the last complete renewal stays the one shown.
        boolean complete = problems.isEmpty() || objects > 0;
        ObjectNode record = JSON.createObjectNode();
        JsonNode before = lastRecord().path("last_renewal");
        record.put("last_renewal", complete || !before.isTextual() ? started.toString() : before.asText());
        record.put("complete", complete);
        record.put("last_attempt", started.toString());
        record.put("objects", objects);
        record.put("roots", roots.size());
        record.putArray("problems").addAll(problems.stream().map(JSON.getNodeFactory()::textNode).toList());
        Files.createDirectories(stateFile.getParent());
        Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
        Files.move(tmp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        log.info("renewed leases on {} objects below {} root(s){}", objects, roots.size(),
                problems.isEmpty() ? "" : "; problems: " + problems);
        return record;
    }

    /** What the last renewal recorded, if there was one. */
    JsonNode lastRecord() {
        try {
            return Files.exists(stateFile) ? JSON.readTree(stateFile.toFile()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private java.util.Optional<Instant> last() {
        JsonNode at = lastRecord().path("last_renewal");
        try {
            return at.isTextual() ? java.util.Optional.of(Instant.parse(at.asText())) : java.util.Optional.empty();
        } catch (java.time.format.DateTimeParseException e) {
            return java.util.Optional.empty();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
