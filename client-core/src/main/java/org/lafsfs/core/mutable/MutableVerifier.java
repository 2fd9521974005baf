package org.lafsfs.core.mutable;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.crypto.SigningKey;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.hashtree.BadHashException;
import org.lafsfs.core.hashtree.HashTree;
import org.lafsfs.core.immutable.LayoutInvalidException;

/**
 * Verifies a mutable file the way Tahoe's "check --verify" does: a servermap
 * update that asks every server (MODE_CHECK), then every byte of every share
 * it found, of every version, not just the k a read would use. A share is good
 * when
 * <ul>
 * <li>its header parses and is consistent: offsets in order, the share data as
 * large as the signed prefix implies, the block hash tree as large as the
 * segment count needs, the share number below N, and the share at least as
 * long as its EOF offset;
 * <li>its public key is the one the cap's fingerprint names, and the signature
 * over its signed prefix is good;
 * <li>its share hash chain and block hash tree lead to the signed root hash,
 * and every node of the stored block hash tree is the one its leaves imply;
 * <li>every block (MDMF: salt and block) matches its leaf hash;
 * <li>with a write cap, its encrypted private key decrypts to the key whose
 * hash is the writekey.
 * </ul>
 * Blocks are read and checked one segment at a time across all shares of a
 * version, so memory stays at one block per share. Shares found corrupt are
 * reported to their servers (advise-corrupt), as a retrieve would.
 */
public final class MutableVerifier {
    private final Grid grid;
    private final MutableKeys keys;

    public MutableVerifier(Grid grid, Cap cap) {
        this(grid, MutableKeys.of(cap));
    }

    public MutableVerifier(Grid grid, MutableKeys keys) {
        this.grid = grid;
        this.keys = keys;
    }

    /** Verifies the file as it is now: a MODE_CHECK servermap, then every share it found. */
    public Report verify() {
        return verify(new ServermapUpdater(grid, keys).update(Mode.CHECK));
    }

    /** Verifies every share {@code map} found (normally a MODE_CHECK map, so that nothing is missed). */
    public Report verify(Servermap map) {
        List<String> serverErrors = new ArrayList<>();
        List<ShareCheck> checks = new ArrayList<>();
        for (Servermap.ServerRecord record : map.answers().values()) {
            if (record.failed()) {
                Throwable e = record.error();
                serverErrors.add(record.server().name() + ": " + (e.getMessage() == null ? e : e.getMessage()));
                continue;
            }
            for (Servermap.ShareRecord share : record.shares().values()) {
                checks.add(new ShareCheck(record.server(), record.rank(), share.shnum(), share.head()));
            }
        }

        // Which versions are real: those that at least one share signs with our key.
        Map<SignedPrefix, Retrieve> retrievers = new TreeMap<>(Comparator.reverseOrder());
        for (ShareCheck c : checks) {
            checkHeader(c);
            if (c.signed) {
                retrievers.computeIfAbsent(c.version, v -> new Retrieve(keys, map, v));
            }
        }
        for (ShareCheck c : checks) {
            Retrieve retrieve = c.version == null ? null : retrievers.get(c.version);
            if (c.layout != null && c.keyMatches && retrieve != null) {
                checkHashes(c, retrieve);
            }
        }
        for (SignedPrefix version : retrievers.keySet()) {
            checkBlocks(version, checks.stream().filter(c -> version.equals(c.version) && c.leaves != null).toList());
        }
        for (ShareCheck c : checks) {
            if (c.corrupt && !c.advised) {
                c.server.storage().adviseCorruptMutable(keys.storageIndex(), c.shnum, String.join("; ", c.problems))
                        .exceptionally(ignored -> null);
            }
        }

        List<VersionReport> versions = new ArrayList<>();
        for (SignedPrefix version : retrievers.keySet()) {
            versions.add(new VersionReport(version, checks.stream().filter(c -> version.equals(c.version))
                    .map(ShareCheck::report).toList()));
        }
        List<ShareReport> unattributed = checks.stream()
                .filter(c -> c.version == null || !retrievers.containsKey(c.version)).map(ShareCheck::report).toList();
        return new Report(map.storageIndex(), versions, unattributed, serverErrors);
    }

    // ---- the checks ----

    /** What is known about one share as the checks go along. */
    private static final class ShareCheck {
        final GridServer server;
        final int rank;
        final int shnum;
        byte[] head;
        final List<String> problems = new ArrayList<>();
        MutableShareLayout layout;
        SignedPrefix version;
        boolean keyMatches;
        boolean signed;
        byte[][] leaves;
        boolean corrupt;
        boolean advised;

        ShareCheck(GridServer server, int rank, int shnum, byte[] head) {
            this.server = server;
            this.rank = rank;
            this.shnum = shnum;
            this.head = head;
        }

        void corrupt(String problem) {
            problems.add(problem);
            corrupt = true;
        }

        void failed(String what, Throwable e) {
            Throwable cause = ServermapUpdater.unwrap(e);
            problems.add(what + ": " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        }

        Servermap.Location location() {
            return new Servermap.Location(server, rank,
                    new Servermap.ShareRecord(shnum, version, version.checkstring(), head, null));
        }

        ShareReport report() {
            return new ShareReport(server, rank, shnum, version, List.copyOf(problems));
        }
    }

    /** Layout, key, signature, EOF and private key: everything but the hash trees and blocks. */
    private void checkHeader(ShareCheck c) {
        try {
            if (c.head == null) {
                c.head = read(c, 0, MutableShareLayout.MAPUPDATE_READ_LENGTH);
            }
            c.layout = MutableShareLayout.parse(c.head);
        } catch (LayoutInvalidException e) {
            // A prefix that parses still tells which version the share claims to be.
            try {
                c.version = SignedPrefix.parse(c.head);
            } catch (LayoutInvalidException ignored) {
                // not even that
            }
            c.corrupt("layout: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            c.failed("reading the header", e);
            return;
        }
        MutableShareLayout layout = c.layout;
        SignedPrefix prefix = layout.prefix();
        c.version = prefix;
        if (prefix.format() != keys.format()) {
            c.corrupt("the share is " + prefix.format() + ", the cap names " + keys.format());
        }
        if (c.shnum >= prefix.n()) {
            c.corrupt("share number " + c.shnum + " is beyond N=" + prefix.n());
        }
        try {
            byte[] pubkey = field(c, layout.pubkeyField());
            if (!keys.isOurPublicKey(pubkey)) {
                c.corrupt("public key does not match the cap's fingerprint");
                return;
            }
            c.keyMatches = true;
            byte[] signature = field(c, layout.signatureField());
            if (SigningKey.VerifyingKey.fromDer(pubkey).verify(prefix.bytes(), signature)) {
                c.signed = true;
            } else {
                c.corrupt("bad signature over the signed prefix");
            }
        } catch (LayoutInvalidException | GeneralSecurityException e) {
            c.corrupt("public key or signature: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            c.failed("reading the public key and signature", e);
            return;
        }
        try {
            long eof = layout.eof();
            if (eof > 0 && read(c, eof - 1, 1).length != 1) {
                c.corrupt("share is shorter than its EOF offset " + eof + " (truncated)");
            }
        } catch (RuntimeException e) {
            c.failed("reading the end of the share", e);
        }
        if (keys.writable()) {
            try {
                keys.unlock(field(c, layout.encPrivkeyField()));
            } catch (LayoutInvalidException | GeneralSecurityException e) {
                c.corrupt("encrypted private key: " + e.getMessage());
            } catch (RuntimeException e) {
                c.failed("reading the encrypted private key", e);
            }
        }
    }

    /** The share hash chain and block hash tree, against the version's signed root. */
    private void checkHashes(ShareCheck c, Retrieve retrieve) {
        byte[][] leaves;
        try {
            leaves = retrieve.leaves(c.location());
        } catch (MutableFileException e) {
            Throwable cause = ServermapUpdater.unwrap(e.getCause() == null ? e : e.getCause());
            boolean corrupt = cause instanceof BadHashException || cause instanceof LayoutInvalidException;
            String why = "share hash chain / block hash tree: "
                    + (cause.getMessage() == null ? cause.toString() : cause.getMessage());
            if (corrupt) {
                c.corrupt(why);
                c.advised = true; // Retrieve has told the server already
            } else {
                c.problems.add(why);
            }
            return;
        } catch (RuntimeException e) {
            c.failed("share hash chain / block hash tree", e);
            return;
        }
        // Retrieve takes the leaves and checks their root; the inner nodes must agree with them too.
        try {
            MutableShareLayout.Field treeField = c.layout.blockHashTreeField();
            byte[][] stored = MutableShareLayout.unpackTree(field(c, treeField));
            HashTree tree = new HashTree(Arrays.asList(leaves));
            for (int i = 0; i < stored.length && i < tree.size(); i++) {
                if (!Arrays.equals(stored[i], tree.node(i))) {
                    c.corrupt("block hash tree node " + i + " does not match the tree its leaves make");
                    return;
                }
            }
        } catch (LayoutInvalidException e) {
            c.corrupt("block hash tree: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            c.failed("reading the block hash tree", e);
            return;
        }
        c.leaves = leaves;
    }

    /** Every block of every share of one version, a segment at a time, against its leaf hash. */
    private void checkBlocks(SignedPrefix version, List<ShareCheck> shares) {
        List<ShareCheck> live = new ArrayList<>(shares);
        int saltLength = version.format() == MutableFormat.MDMF ? SignedPrefix.SALT_LENGTH : 0;
        for (int seg = 0; seg < version.segmentCount() && !live.isEmpty(); seg++) {
            int length = version.blockSize(seg) + saltLength;
            Map<ShareCheck, CompletableFuture<byte[]>> reads = new LinkedHashMap<>();
            for (ShareCheck c : live) {
                reads.put(c, c.server.storage().readMutable(keys.storageIndex(), c.shnum,
                        c.layout.blockOffset(seg) - saltLength, length));
            }
            for (Map.Entry<ShareCheck, CompletableFuture<byte[]>> read : reads.entrySet()) {
                ShareCheck c = read.getKey();
                byte[] data;
                try {
                    data = read.getValue().join();
                } catch (RuntimeException e) {
                    c.failed("reading block " + seg, e);
                    live.remove(c);
                    continue;
                }
                if (data.length != length) {
                    c.corrupt("share ends inside block " + seg + " (" + data.length + " of " + length
                            + " bytes): truncated");
                    live.remove(c);
                } else if (!Arrays.equals(Hashes.blockHash(data), c.leaves[seg])) {
                    c.corrupt("block " + seg + " does not match its hash");
                    live.remove(c);
                }
            }
        }
    }

    private byte[] field(ShareCheck c, MutableShareLayout.Field field) throws LayoutInvalidException {
        if (field.end() <= c.head.length) {
            return field.in(c.head, 0);
        }
        return field.in(read(c, field.offset(), field.length()), field.offset());
    }

    private byte[] read(ShareCheck c, long offset, int length) {
        return c.server.storage().readMutable(keys.storageIndex(), c.shnum, offset, length).join();
    }

    // ---- the report ----

    /**
     * One share as verified.
     *
     * @param version the version the share's signed prefix claims (null if it does not even parse)
     * @param problems what is wrong with it; empty for a good share
     */
    public record ShareReport(GridServer server, int rank, int shnum, SignedPrefix version, List<String> problems) {
        public ShareReport {
            problems = List.copyOf(problems);
        }

        public boolean good() {
            return problems.isEmpty();
        }

        public String serverName() {
            return server.name();
        }

        @Override
        public String toString() {
            return server.name() + " sh" + shnum + (good() ? ": good" : ": " + String.join("; ", problems));
        }
    }

    /** The shares of one version (one that at least one share signs with the file's key). */
    public record VersionReport(SignedPrefix version, List<ShareReport> shares) {
        public VersionReport {
            shares = List.copyOf(shares);
        }

        public List<ShareReport> goodShares() {
            return shares.stream().filter(ShareReport::good).toList();
        }

        public List<ShareReport> badShares() {
            return shares.stream().filter(s -> !s.good()).toList();
        }

        /** The distinct share numbers with at least one good copy. */
        public Set<Integer> goodShareNumbers() {
            Set<Integer> numbers = new TreeSet<>();
            goodShares().forEach(s -> numbers.add(s.shnum()));
            return numbers;
        }

        /** Share number to the servers holding a good copy of it. */
        public Map<Integer, List<String>> goodSharePlacement() {
            Map<Integer, List<String>> placement = new TreeMap<>();
            goodShares().forEach(s -> placement.computeIfAbsent(s.shnum(), n -> new ArrayList<>()).add(s.serverName()));
            return placement;
        }

        public boolean recoverable() {
            return goodShareNumbers().size() >= version.k();
        }

        /** All N shares of this version are present and good. */
        public boolean healthy() {
            return goodShareNumbers().size() >= version.n();
        }
    }

    /**
     * The verdict on a mutable file.
     *
     * @param versions every version some share signs with the file's key, newest first
     * @param unattributed shares that belong to no such version (unparseable, another key, a forged prefix)
     * @param serverErrors servers that did not answer the servermap update
     */
    public record Report(StorageIndex storageIndex, List<VersionReport> versions, List<ShareReport> unattributed,
            List<String> serverErrors) {
        public Report {
            versions = List.copyOf(versions);
            unattributed = List.copyOf(unattributed);
            serverErrors = List.copyOf(serverErrors);
        }

        /** The newest version seen (recoverable or not). */
        public Optional<VersionReport> newest() {
            return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(0));
        }

        /** The newest version with k good shares: what a read would return. */
        public Optional<VersionReport> newestRecoverable() {
            return versions.stream().filter(VersionReport::recoverable).findFirst();
        }

        public boolean recoverable() {
            return newestRecoverable().isPresent();
        }

        /** The newest version seen has all N shares, every one of them good. */
        public boolean newestHealthy() {
            return newest().map(VersionReport::healthy).orElse(false);
        }

        /**
         * Tahoe's "healthy": one version only, with all N shares good, and no
         * bad share anywhere. Anything less is something a repair would fix.
         */
        public boolean healthy() {
            return versions.size() == 1 && newestHealthy() && badShares().isEmpty();
        }

        public List<ShareReport> shares() {
            List<ShareReport> all = new ArrayList<>();
            versions.forEach(v -> all.addAll(v.shares()));
            all.addAll(unattributed);
            return Collections.unmodifiableList(all);
        }

        public List<ShareReport> badShares() {
            return shares().stream().filter(s -> !s.good()).toList();
        }

        /** Every problem found, one line each, naming the server and share. */
        public List<String> problems() {
            List<String> problems = new ArrayList<>(serverErrors);
            for (ShareReport s : badShares()) {
                s.problems().forEach(p -> problems.add(s.serverName() + " sh" + s.shnum() + ": " + p));
            }
            return problems;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("verify " + storageIndex + ": "
                    + (healthy() ? "healthy" : recoverable() ? "recoverable, not healthy" : "NOT recoverable"));
            for (VersionReport v : versions) {
                b.append("\n  ").append(v.version()).append(": ").append(v.goodShareNumbers().size())
                        .append(" good share numbers ").append(v.goodSharePlacement());
            }
            problems().forEach(p -> b.append("\n  problem: ").append(p));
            return b.toString();
        }
    }
}
