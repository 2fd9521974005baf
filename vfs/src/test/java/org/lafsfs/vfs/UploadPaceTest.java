package org.lafsfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pace of recent uploads tells a close whether waiting for its upload can end in anything but a timeout. */
class UploadPaceTest {
    private static final long MIB = 1 << 20;

    @Test
    void unknownUntilAnUploadIsMeasuredSoClosesWait() {
        UploadPace pace = new UploadPace();
        assertThat(pace.outlasts(100L << 30, Duration.ofSeconds(10))).isFalse();
        assertThat(pace.bytesPerSecond()).isNaN();
    }

    @Test
    void smallUploadsSayNothingAboutPace() {
        UploadPace pace = new UploadPace();
        pace.record(UploadPace.MIN_SAMPLE - 1, 1_000_000_000L);
        assertThat(pace.bytesPerSecond()).isNaN();
    }

    @Test
    void anUploadLongerThanTheWaitAtTheMeasuredPaceOutlastsIt() {
        UploadPace pace = new UploadPace();
        pace.record(10 * MIB, 1_000_000_000L); // 10 MiB/s
        assertThat(pace.outlasts(20 * MIB, Duration.ofSeconds(1))).isTrue();
        assertThat(pace.outlasts(5 * MIB, Duration.ofSeconds(1))).isFalse();
    }

    @Test
    void anUploadThatWouldNeedMostOfTheWaitOutlastsItToo() {
        UploadPace pace = new UploadPace();
        pace.record(10 * MIB, 1_000_000_000L); // 10 MiB/s: 9 MiB takes 0.9 s of a 1 s wait
        assertThat(pace.outlasts(9 * MIB, Duration.ofSeconds(1))).isTrue();
        assertThat(pace.outlasts(7 * MIB, Duration.ofSeconds(1))).isFalse();
    }

    @Test
    void theNewestUploadCountsForHalf() {
        UploadPace pace = new UploadPace();
        pace.record(10 * MIB, 1_000_000_000L);
        pace.record(30 * MIB, 1_000_000_000L);
        assertThat(pace.bytesPerSecond()).isEqualTo(20.0 * MIB);
    }
}
