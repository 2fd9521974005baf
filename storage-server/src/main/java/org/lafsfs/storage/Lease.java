package org.lafsfs.storage;

import java.security.MessageDigest;
import org.bouncycastle.crypto.digests.Blake2bDigest;

/**
 * A lease record in a share container. Version 1 containers store the renew
 * and cancel secrets in the clear; version 2 containers (what Tahoe 1.20
 * writes) store their 32-byte BLAKE2b hashes, so a stolen disk does not yield
 * secrets that renew or cancel leases elsewhere.
 *
 * @param secretsHashed whether {@code renewSecret}/{@code cancelSecret} hold hashes rather than secrets
 * @param nodeId the 20-byte node id (mutable containers only; zeros otherwise)
 */
record Lease(int ownerNumber, byte[] renewSecret, byte[] cancelSecret, long expirationTime, byte[] nodeId,
        boolean secretsHashed) {

    static final long LEASE_DURATION_SECONDS = 31L * 24 * 60 * 60;

    static Lease fresh(byte[] renewSecret, byte[] cancelSecret, long now, byte[] nodeId) {
        return new Lease(1, renewSecret, cancelSecret, now + LEASE_DURATION_SECONDS, nodeId, false);
    }

    /** This lease as it must be stored in a container of the given version. */
    Lease forContainerVersion(int version) {
        if (version >= 2 && !secretsHashed) {
            return new Lease(ownerNumber, hash(renewSecret), hash(cancelSecret), expirationTime, nodeId, true);
        }
        if (version < 2 && secretsHashed) {
            throw new IllegalStateException("a hashed lease cannot be stored in a version 1 container");
        }
        return this;
    }

    boolean matchesRenewSecret(byte[] secret) {
        return MessageDigest.isEqual(renewSecret, secretsHashed ? hash(secret) : secret);
    }

    Lease renewedUntil(long expiration) {
        return new Lease(ownerNumber, renewSecret, cancelSecret, Math.max(expiration, expirationTime), nodeId,
                secretsHashed);
    }

    static byte[] hash(byte[] secret) {
        Blake2bDigest blake = new Blake2bDigest(256);
        blake.update(secret, 0, secret.length);
        byte[] out = new byte[32];
        blake.doFinal(out, 0);
        return out;
    }
}
