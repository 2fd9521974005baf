package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** tahoe.cfg's [storage] expire.* settings, read as Tahoe reads them. */
class ExpirationPolicyTest {
    private static final long DAY = 24 * 60 * 60;

    @Test
    void withoutSettingsNothingExpires() {
        ExpirationPolicy policy = ExpirationPolicy.fromConfig(Map.of("reserved_space", "1G"));
        assertThat(policy.enabled()).isFalse();
        assertThat(policy.expires(false)).isFalse();
        assertThat(policy.expires(true)).isFalse();
        assertThat(policy).isEqualTo(ExpirationPolicy.DISABLED);
    }

    @Test
    void ageModeWithAnOverrideDurationInTahoesUnits() {
        ExpirationPolicy policy = ExpirationPolicy.fromConfig(Map.of("expire.enabled", "True", "expire.mode", "age",
                "expire.override_lease_duration", "60 days", "expire.mutable", "false"));
        assertThat(policy.mode()).isEqualTo(ExpirationPolicy.Mode.AGE);
        assertThat(policy.overrideLeaseDuration()).isEqualTo(Duration.ofDays(60));
        assertThat(policy.expires(false)).isTrue();
        assertThat(policy.expires(true)).isFalse();
    }

    @Test
    void durationStringsAreTahoes() {
        assertThat(ExpirationPolicy.parseDuration("7days")).isEqualTo(Duration.ofDays(7));
        assertThat(ExpirationPolicy.parseDuration("31day")).isEqualTo(Duration.ofDays(31));
        assertThat(ExpirationPolicy.parseDuration("2mo")).isEqualTo(Duration.ofDays(62));
        assertThat(ExpirationPolicy.parseDuration("3 month")).isEqualTo(Duration.ofDays(93));
        assertThat(ExpirationPolicy.parseDuration("2YEARS")).isEqualTo(Duration.ofDays(730));
        assertThat(ExpirationPolicy.parseDuration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> ExpirationPolicy.parseDuration("30")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'30' is not a duration");
        assertThatThrownBy(() -> ExpirationPolicy.parseDuration("3 weeks"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCutoffDateIsMidnightUtcStartingThatDay() {
        ExpirationPolicy policy = ExpirationPolicy.fromConfig(Map.of("expire.enabled", "true",
                "expire.mode", "cutoff-date", "expire.cutoff_date", "2009-01-16"));
        assertThat(policy.cutoffDate()).isEqualTo(Instant.parse("2009-01-16T00:00:00Z"));
        long renewedAtCutoff = policy.cutoffDate().getEpochSecond() + Lease.LEASE_DURATION_SECONDS;
        assertThat(policy.hasExpired(renewedAtCutoff, Instant.parse("2030-01-01T00:00:00Z"))).isFalse();
        assertThat(policy.hasExpired(renewedAtCutoff - 1, Instant.parse("2009-01-20T00:00:00Z"))).isTrue();
    }

    @Test
    void aLeaseExpiresOnlyOnceItsWholeDurationHasPassed() {
        long now = 1_800_000_000L;
        ExpirationPolicy policy = LeaseFixture.age();
        Instant at = Instant.ofEpochSecond(now);
        assertThat(policy.hasExpired(now, at)).isFalse(); // expires this very second: not yet past
        assertThat(policy.hasExpired(now - 1, at)).isTrue();
        ExpirationPolicy twoDays = LeaseFixture.ageWithOverride(Duration.ofDays(2));
        long renewedTwoDaysAgo = now - 2 * DAY + Lease.LEASE_DURATION_SECONDS;
        assertThat(twoDays.hasExpired(renewedTwoDaysAgo, at)).isFalse();
        assertThat(twoDays.hasExpired(renewedTwoDaysAgo - 1, at)).isTrue();
    }

    @Test
    void badSettingsAreRefusedWithOneSentenceNamingTheSetting() {
        assertRefused(Map.of("expire.enabled", "true"), "expire.mode");
        assertRefused(Map.of("expire.enabled", "maybe"), "expire.enabled must be true or false");
        assertRefused(Map.of("expire.enabled", "true", "expire.mode", "lru"), "'age' or 'cutoff-date'");
        assertRefused(Map.of("expire.enabled", "true", "expire.mode", "cutoff-date"), "expire.cutoff_date");
        assertRefused(Map.of("expire.enabled", "true", "expire.mode", "cutoff-date", "expire.cutoff_date",
                "16/01/2009"), "expire.cutoff_date must be a date");
        assertRefused(Map.of("expire.enabled", "true", "expire.mode", "cutoff-date", "expire.cutoff_date",
                "2009-01-16", "expire.override_lease_duration", "60 days"), "only to expire.mode = age");
        assertRefused(Map.of("expire.enabled", "true", "expire.mode", "age", "expire.cutoff_date", "2009-01-16"),
                "only to expire.mode = cutoff-date");
        assertRefused(Map.of("expire.enabled", "true", "expire.mode", "age", "expire.override_lease_duration",
                "0 days"), "longer than zero");
        assertRefused(Map.of("expire.immutable", "nope"), "expire.immutable");
    }

    private static void assertRefused(Map<String, String> config, String message) {
        assertThatThrownBy(() -> ExpirationPolicy.fromConfig(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message).hasMessageEndingWith(".");
    }

    @Test
    void thePolicyDescribesItselfForTheLog() {
        assertThat(ExpirationPolicy.DISABLED.describe()).isEqualTo("lease expiration disabled");
        assertThat(LeaseFixture.ageWithOverride(Duration.ofDays(60)).describe())
                .contains("leases older than 60 days expire", "immutable and mutable");
        assertThat(LeaseFixture.ageWithOverride(Duration.ofSeconds(90)).describe()).contains("older than 90 s");
        assertThat(ExpirationPolicy.fromConfig(Map.of("expire.enabled", "yes", "expire.mode", "cutoff-date",
                "expire.cutoff_date", "2026-01-01", "expire.mutable", "off")).describe())
                .contains("renewed before 2026-01-01T00:00:00Z", "immutable only");
    }

    @Test
    void pacingSleepsInProportionToTheWorkDone() {
        CrawlerPacing tenPercent = new CrawlerPacing(Duration.ofMillis(100), 0.10, Duration.ZERO,
                Duration.ofHours(12));
        assertThat(tenPercent.pauseAfter(Duration.ofMillis(100), false)).isEqualTo(Duration.ofMillis(900));
        assertThat(tenPercent.pauseAfter(Duration.ZERO, false)).isEqualTo(Duration.ZERO);
        assertThat(tenPercent.pauseAfter(Duration.ofMinutes(10), false)).isEqualTo(Duration.ofSeconds(299));
        assertThat(tenPercent.pauseAfter(Duration.ofMillis(100), true)).isEqualTo(Duration.ofHours(12));
        assertThat(CrawlerPacing.DEFAULT.allowedProportion()).isEqualTo(0.10);
        assertThatThrownBy(() -> new CrawlerPacing(Duration.ZERO, 0, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
