package org.lafsfs.storage;

import java.time.Duration;

/**
 * How a share crawler shares the machine with requests, as Tahoe's crawler
 * does: it works for at most {@code slice} at a time, then sleeps long enough
 * that its work is at most {@code allowedProportion} of the elapsed time; it
 * starts {@code slowStart} after the server, and after a full cycle it rests at
 * least {@code minimumCycleTime}.
 */
public record CrawlerPacing(Duration slice, double allowedProportion, Duration slowStart, Duration minimumCycleTime) {
    /** Tahoe's lease checker: 1 s slices, 10% of the time, 6 minutes after start, at most two cycles a day. */
    public static final CrawlerPacing DEFAULT = new CrawlerPacing(Duration.ofSeconds(1), 0.10, Duration.ofMinutes(6),
            Duration.ofHours(12));

    /** However long a slice took, the next comes within this, so a slow bucket cannot stall the crawl. */
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(299);

    public CrawlerPacing {
        if (slice.isNegative() || slowStart.isNegative() || minimumCycleTime.isNegative()) {
            throw new IllegalArgumentException("crawler durations cannot be negative.");
        }
        if (!(allowedProportion > 0 && allowedProportion <= 1)) {
            throw new IllegalArgumentException("the crawler's share of time must be in (0, 1], not "
                    + allowedProportion + ".");
        }
    }

    /** The pause after a slice that took {@code worked}: worked / proportion - worked, bounded. */
    Duration pauseAfter(Duration worked, boolean finishedCycle) {
        double nanos = worked.toNanos() / allowedProportion - worked.toNanos();
        Duration pause = Duration.ofNanos((long) Math.min(nanos, LONGEST_PAUSE.toNanos()));
        if (pause.isNegative()) {
            pause = Duration.ZERO;
        }
        if (finishedCycle && pause.compareTo(minimumCycleTime) < 0) {
            pause = minimumCycleTime;
        }
        return pause;
    }
}
