package org.lafsfs.storage;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a lease has expired, as Tahoe's {@code [storage] expire.*} settings say
 * (docs/garbage-collection.rst). In {@link Mode#AGE} a lease expires once its
 * create/renew time plus its duration (31 days, or
 * {@code overrideLeaseDuration}) lies in the past; in {@link Mode#CUTOFF_DATE}
 * once it was last created or renewed before {@code cutoffDate}.
 *
 * @param enabled whether shares whose leases have all expired are removed at all
 * @param overrideLeaseDuration age mode only: the duration used instead of each lease's own, or null
 * @param cutoffDate cutoff-date mode only: midnight UTC starting the configured day
 * @param expireImmutable whether immutable shares may be removed
 * @param expireMutable whether mutable shares may be removed
 */
public record ExpirationPolicy(boolean enabled, Mode mode, Duration overrideLeaseDuration, Instant cutoffDate,
        boolean expireImmutable, boolean expireMutable) {

    public enum Mode {
        AGE("age"), CUTOFF_DATE("cutoff-date");

        private final String configName;

        Mode(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    /** Tahoe's default: nothing expires. */
    public static final ExpirationPolicy DISABLED = new ExpirationPolicy(false, Mode.AGE, null, null, true, true);

    /** The duration every lease is granted for (Tahoe's fixed 31 days); its create/renew time is derived from it. */
    static final Duration LEASE_DURATION = Duration.ofSeconds(Lease.LEASE_DURATION_SECONDS);

    private static final Pattern DURATION = Pattern.compile(
            "\\s*(\\d{1,9})\\s*(s|seconds?|days?|mo|months?|years?)\\s*", Pattern.CASE_INSENSITIVE);

    public ExpirationPolicy {
        if (mode == null) {
            throw new IllegalArgumentException("expire.mode must be 'age' or 'cutoff-date'.");
        }
        if (mode == Mode.CUTOFF_DATE && cutoffDate == null) {
            throw new IllegalArgumentException("expire.mode = cutoff-date needs expire.cutoff_date (YYYY-MM-DD).");
        }
        if (mode == Mode.CUTOFF_DATE && overrideLeaseDuration != null) {
            throw new IllegalArgumentException("expire.override_lease_duration applies only to expire.mode = age.");
        }
        if (mode == Mode.AGE && cutoffDate != null) {
            throw new IllegalArgumentException("expire.cutoff_date applies only to expire.mode = cutoff-date.");
        }
        if (overrideLeaseDuration != null && (overrideLeaseDuration.isNegative() || overrideLeaseDuration.isZero())) {
            throw new IllegalArgumentException("expire.override_lease_duration must be longer than zero.");
        }
    }

    /**
     * The policy the {@code [storage]} section of tahoe.cfg describes (keys without the section, e.g.
     * {@code expire.mode}). Like Tahoe, an enabled policy needs an explicit mode; unknown keys are ignored
     * because the section holds other settings too.
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    public static ExpirationPolicy fromConfig(Map<String, String> storage) {
        boolean enabled = parseBoolean(storage, "expire.enabled", false);
        String modeName = value(storage, "expire.mode");
        Mode mode;
        if (modeName == null) {
            if (enabled) {
                throw new IllegalArgumentException("expire.enabled = true needs expire.mode (age or cutoff-date).");
            }
            mode = value(storage, "expire.cutoff_date") != null ? Mode.CUTOFF_DATE : Mode.AGE;
        } else {
            mode = parseMode(modeName);
        }
        String override = value(storage, "expire.override_lease_duration");
        String cutoff = value(storage, "expire.cutoff_date");
        return new ExpirationPolicy(enabled, mode, override == null ? null : parseDuration(override),
                cutoff == null ? null : parseCutoffDate(cutoff), parseBoolean(storage, "expire.immutable", true),
                parseBoolean(storage, "expire.mutable", true));
    }

    static Mode parseMode(String text) {
        for (Mode m : Mode.values()) {
            if (m.configName.equalsIgnoreCase(text.strip())) {
                return m;
            }
        }
        throw new IllegalArgumentException("expire.mode must be 'age' or 'cutoff-date', not '" + text + "'.");
    }

    /** Tahoe's duration strings: a whole number and s/second(s), day(s), mo/month(s) (31 days), year(s) (365). */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 7days, 2mo or 1year.");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        long day = 24L * 60 * 60;
        long seconds = unit.startsWith("s") ? 1 : unit.startsWith("d") ? day : unit.startsWith("m") ? 31 * day
                : 365 * day;
        return Duration.ofSeconds(n * seconds);
    }

    /** A cutoff date YYYY-MM-DD, meaning midnight UTC at the start of that day. */
    public static Instant parseCutoffDate(String text) {
        try {
            return LocalDate.parse(text.strip()).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expire.cutoff_date must be a date such as 2026-01-16, not '"
                    + text + "'.");
        }
    }

    /** Whether shares of this kind may be removed under this policy. */
    boolean expires(boolean mutable) {
        return enabled && (mutable ? expireMutable : expireImmutable);
    }

    /**
     * Whether a lease with this stored expiration time (seconds since the epoch) has expired at {@code now}
     * by this policy's rule, whether or not the policy is enabled. Like Tahoe, the lease's create/renew time
     * is taken to be its expiration time minus 31 days.
     */
    boolean hasExpired(long expirationTime, Instant now) {
        Instant renewed = Instant.ofEpochSecond(expirationTime).minus(LEASE_DURATION);
        if (mode == Mode.CUTOFF_DATE) {
            return renewed.isBefore(cutoffDate);
        }
        Duration duration = overrideLeaseDuration != null ? overrideLeaseDuration : LEASE_DURATION;
        return renewed.plus(duration).isBefore(now);
    }

    /** One line for logs and status. */
    public String describe() {
        if (!enabled) {
            return "lease expiration disabled";
        }
        String rule = mode == Mode.CUTOFF_DATE ? "leases renewed before " + cutoffDate
                : "leases older than " + (overrideLeaseDuration == null ? "their 31-day duration"
                        : overrideLeaseDuration.toSeconds() % 86_400 == 0 ? overrideLeaseDuration.toDays() + " days"
                        : overrideLeaseDuration.toSeconds() + " s");
        String kinds = expireImmutable && expireMutable ? "immutable and mutable"
                : expireImmutable ? "immutable only" : expireMutable ? "mutable only" : "no";
        return "lease expiration: " + rule + " expire; " + kinds + " shares are removed";
    }

    private static String value(Map<String, String> storage, String key) {
        String v = storage.get(key);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** Tahoe's config booleans: true/false, yes/no, on/off, 1/0, any case. */
    private static boolean parseBoolean(Map<String, String> storage, String key, boolean fallback) {
        String v = value(storage, key);
        if (v == null) {
            return fallback;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1":
                return true;
            case "false", "no", "off", "0":
                return false;
            default:
                throw new IllegalArgumentException(key + " must be true or false, not '" + v + "'.");
        }
    }
}
