package org.lafsfs.core.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lafsfs.core.codec.Base32;

/**
 * What a storage server announces about itself (Tahoe's announcement dict, as
 * found in private/servers.yaml or from an introducer): its id, where to reach
 * it, and the two values that other computations hang on — the permutation
 * seed (server order per storage index) and the Foolscap tub id (write
 * enablers and lease secrets, even over HTTPS).
 */
public record ServerAnnouncement(String serverId, String nickname, List<Nurl> nurls, String furl,
        byte[] permutationSeed, byte[] tubId) {
    private static final Pattern FURL_TUB_ID = Pattern.compile("^pb://([a-z2-7]+)@", Pattern.CASE_INSENSITIVE);
    private static final Pattern V0_SERVER_ID = Pattern.compile("^v0-([0-9a-zA-Z]{52})$");

    public ServerAnnouncement {
        nurls = List.copyOf(nurls);
        permutationSeed = permutationSeed.clone();
        tubId = tubId == null ? null : tubId.clone();
    }

    /**
     * Reads an announcement the way Tahoe does: the permutation seed from
     * {@code permutation-seed-base32}, else from a {@code v0-} server id, else
     * the SHA-256 of the server id; the tub id from the FURL.
     */
    public static ServerAnnouncement fromAnnouncement(String serverId, Map<String, ?> ann) {
        String nickname = ann.get("nickname") instanceof String n ? n : "";
        List<Nurl> nurls = new ArrayList<>();
        if (ann.get("anonymous-storage-NURLs") instanceof List<?> list) {
            for (Object nurl : list) {
                nurls.add(Nurl.parse(String.valueOf(nurl)));
            }
        }
        String furl = ann.get("anonymous-storage-FURL") instanceof String f ? f : null;
        byte[] tubId = null;
        if (furl != null) {
            Matcher m = FURL_TUB_ID.matcher(furl);
            if (!m.find()) {
                throw new IllegalArgumentException("server " + serverId + ": '" + furl + "' is not a FURL");
            }
            tubId = Base32.decode(m.group(1).toLowerCase(java.util.Locale.ROOT));
        }
        byte[] seed;
        Matcher v0 = V0_SERVER_ID.matcher(serverId);
        if (ann.get("permutation-seed-base32") instanceof String s) {
            seed = Base32.decode(s);
        } else if (v0.matches()) {
            seed = Base32.decode(v0.group(1));
        } else {
            seed = sha256(serverId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return new ServerAnnouncement(serverId, nickname, nurls, furl, seed, tubId);
    }

    /** The node id that write enablers and bucket lease secrets are derived from. */
    public byte[] writeEnablerNodeId() {
        if (tubId == null) {
            throw new IllegalStateException("server " + serverId + " announces no anonymous-storage-FURL, so no tub id"
                    + " to derive write enablers from");
        }
        return tubId.clone();
    }

    @Override
    public byte[] permutationSeed() {
        return permutationSeed.clone();
    }

    @Override
    public byte[] tubId() {
        return tubId == null ? null : tubId.clone();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
