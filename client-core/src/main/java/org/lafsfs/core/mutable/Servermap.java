package org.lafsfs.core.mutable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.grid.GridServer;

/**
 * What a servermap update learned about one mutable file: the servers in the
 * file's permuted order, and for each server that was asked, what it answered
 * (its shares and their versions, or its failure). Publish decides from this
 * where each share goes and what every write may assume is already there;
 * Retrieve picks a recoverable version and the shares to read it from.
 */
public final class Servermap {
    private final StorageIndex storageIndex;
    private final List<GridServer> permuted;
    private final Mode mode;
    private final Map<Integer, ServerRecord> answers = new java.util.concurrent.ConcurrentSkipListMap<>();

    Servermap(StorageIndex storageIndex, List<GridServer> permuted, Mode mode) {
        this.storageIndex = storageIndex;
        this.permuted = List.copyOf(permuted);
        this.mode = mode;
    }

    /**
     * One share as a server showed it: its version (null when the share is
     * unusable: unparseable, wrong key, bad signature), the checkstring bytes as
     * read (what a test-and-set write must find there), and the start of the
     * share if it was read (null after our own write).
     */
    public record ShareRecord(int shnum, SignedPrefix version, byte[] checkstring, byte[] head, String problem) {
        public boolean good() {
            return version != null;
        }
    }

    /** A server's answer: its shares, or the error it failed with. */
    public record ServerRecord(GridServer server, int rank, Map<Integer, ShareRecord> shares, Throwable error) {
        public boolean failed() {
            return error != null;
        }
    }

    /** A share of one version at one server. */
    public record Location(GridServer server, int rank, ShareRecord share) {
    }

    void record(ServerRecord record) {
        answers.put(record.rank(), record);
    }

    /** Notes what a share holds now (after our own write, or a surprise seen while writing). */
    synchronized void recordShare(int rank, ShareRecord share) {
        ServerRecord old = answers.get(rank);
        Map<Integer, ShareRecord> shares = new TreeMap<>(old == null || old.failed() ? Map.of() : old.shares());
        shares.put(share.shnum(), share);
        answers.put(rank, new ServerRecord(permuted.get(rank), rank, shares, null));
    }

    public StorageIndex storageIndex() {
        return storageIndex;
    }

    public Mode mode() {
        return mode;
    }

    /** The servers in this file's permuted order. */
    public List<GridServer> permuted() {
        return permuted;
    }

    /** The answers, by rank in the permuted order; a server missing here was not asked. */
    public Map<Integer, ServerRecord> answers() {
        return Collections.unmodifiableMap(answers);
    }

    public boolean asked(int rank) {
        return answers.containsKey(rank);
    }

    public int serversAsked() {
        return answers.size();
    }

    /** Every good share, by version. */
    public Map<SignedPrefix, List<Location>> versions() {
        Map<SignedPrefix, List<Location>> versions = new TreeMap<>();
        for (ServerRecord r : answers.values()) {
            if (r.failed()) {
                continue;
            }
            for (ShareRecord s : r.shares().values()) {
                if (s.good()) {
                    versions.computeIfAbsent(s.version(), v -> new ArrayList<>()).add(
                            new Location(r.server(), r.rank(), s));
                }
            }
        }
        return versions;
    }

    /** The distinct share numbers found for a version. */
    public Set<Integer> shareNumbers(SignedPrefix version) {
        Set<Integer> numbers = new TreeSet<>();
        for (Location l : versions().getOrDefault(version, List.of())) {
            numbers.add(l.share().shnum());
        }
        return numbers;
    }

    public boolean recoverable(SignedPrefix version) {
        return shareNumbers(version).size() >= version.k();
    }

    /** The newest version with at least k distinct shares. */
    public Optional<SignedPrefix> newestRecoverable() {
        return versions().keySet().stream().filter(this::recoverable).max(Comparator.naturalOrder());
    }

    public Optional<SignedPrefix> newestSeen() {
        return versions().keySet().stream().max(Comparator.naturalOrder());
    }

    /** The highest sequence number any share showed; a new version must exceed it. */
    public long highestSeqnum() {
        return versions().keySet().stream().mapToLong(SignedPrefix::seqnum).max().orElse(0);
    }

    /** Shares that could not be used, with why. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (ServerRecord r : answers.values()) {
            if (r.failed()) {
                problems.add(r.server().name() + ": " + r.error().getMessage());
                continue;
            }
            for (ShareRecord s : r.shares().values()) {
                if (!s.good()) {
                    problems.add(r.server().name() + " share " + s.shnum() + ": " + s.problem());
                }
            }
        }
        return problems;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("servermap " + storageIndex + " (" + mode + ", asked " + answers.size()
                + " of " + permuted.size() + ")");
        versions().forEach((v, locations) -> b.append("\n  ").append(v).append(": ")
                .append(locations.stream().map(l -> l.server().name() + "/sh" + l.share().shnum()).toList()));
        return b.toString();
    }
}
