package org.lafsfs.core.storage;

import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A storage server's NURL, {@code pb://<spki-hash>@<host>:<port>[,...]/<swissnum>#v=1}:
 * where to connect, which TLS key to expect (the SHA-256 of the certificate's
 * SubjectPublicKeyInfo, base64url) and the swissnum that authorizes requests.
 */
public record Nurl(byte[] spkiHash, List<HostPort> locations, String swissnum) {
    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public Nurl {
        if (spkiHash.length != 32) {
            throw new IllegalArgumentException("a NURL's SPKI hash is 32 bytes, not " + spkiHash.length);
        }
        if (locations.isEmpty()) {
            throw new IllegalArgumentException("a NURL needs at least one location");
        }
        spkiHash = spkiHash.clone();
        locations = List.copyOf(locations);
    }

    public static Nurl parse(String text) {
        String trimmed = text.strip();
        if (!trimmed.startsWith("pb://") || !trimmed.endsWith("#v=1")) {
            throw new IllegalArgumentException("'" + text + "' is not an HTTPS storage NURL (pb://...#v=1)");
        }
        String body = trimmed.substring(5, trimmed.length() - 4);
        int at = body.indexOf('@');
        int slash = body.indexOf('/', Math.max(at, 0));
        if (at <= 0 || slash < 0 || slash == body.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' needs pb://<spki-hash>@<host>:<port>/<swissnum>#v=1");
        }
        byte[] spki;
        try {
            spki = Base64.getUrlDecoder().decode(body.substring(0, at));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the SPKI hash in NURL '" + text + "' is not base64url", e);
        }
        List<HostPort> locations = new ArrayList<>();
        for (String hint : body.substring(at + 1, slash).split(",")) {
            String hostPort = hint.startsWith("tcp:") ? hint.substring(4) : hint;
            try {
                URI uri = new URI("https://" + hostPort);
                if (uri.getHost() == null || uri.getPort() < 0) {
                    throw new IllegalArgumentException("location '" + hint + "' in NURL '" + text + "' needs host:port");
                }
                String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                        : uri.getHost();
                locations.add(new HostPort(host, uri.getPort()));
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("location '" + hint + "' in NURL '" + text + "' is malformed", e);
            }
        }
        return new Nurl(spki, locations, body.substring(slash + 1));
    }

    /** The SPKI hash as it appears in NURLs: base64url without padding. */
    public static String encodeSpkiHash(byte[] spkiHash) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(spkiHash);
    }

    @Override
    public byte[] spkiHash() {
        return spkiHash.clone();
    }

    @Override
    public String toString() {
        StringBuilder hints = new StringBuilder();
        for (HostPort location : locations) {
            hints.append(hints.length() == 0 ? "" : ",").append(location);
        }
        return "pb://" + encodeSpkiHash(spkiHash) + "@" + hints + "/" + swissnum + "#v=1";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Nurl other && other.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
