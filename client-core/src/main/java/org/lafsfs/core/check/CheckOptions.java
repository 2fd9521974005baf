package org.lafsfs.core.check;

/**
 * What a check does besides counting shares: verify every share's bytes,
 * repair an unhealthy file, and add or renew this client's lease on every
 * share found (Tahoe's verify=, repair= and add-lease= arguments).
 */
public record CheckOptions(boolean verify, boolean repair, boolean addLease) {
    public static final CheckOptions CHECK = new CheckOptions(false, false, false);
}
