package org.lafsfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A close waiting for its upload judges it by the upload's own pace once the shares are placed and a few
 * segments are out: an upload that will still be running at the close's deadline is not waited for.
 */
class UploadProgressTest {
    private static Uploads.Staged upload(long size) {
        return new Uploads.Staged("id", null, "big.bin", Uploads.Kind.IMMUTABLE, null, null, size, List.of(),
                Path.of("spool"), false, 0);
    }

    @Test
    void anUploadIsJudgedOnlyOncePlacedAndSomeMegabytesAreOut() {
        Uploads.Staged s = upload(1L << 30);
        long farAhead = System.nanoTime() + TimeUnit.DAYS.toNanos(1);
        long soon = System.nanoTime() + 1;
        assertThat(s.finishesAfter(soon)).as("not placed yet").isFalse();
        s.progress(0);
        assertThat(s.placed).isDone();
        s.progress(Uploads.MIN_SENT_TO_JUDGE - 1);
        assertThat(s.finishesAfter(soon)).as("too little sent to tell").isFalse();
        s.progress(Uploads.MIN_SENT_TO_JUDGE);
        assertThat(s.finishesAfter(farAhead)).isFalse();
    }

    @Test
    void aSlowUploadIsSeenToOutlastTheWaitAndAFastOneIsNot() throws Exception {
        Uploads.Staged slow = upload(1L << 30);
        slow.progress(0);
        Thread.sleep(100);
        slow.progress(8L << 20); // at most 8 MiB per 100 ms: 1 GiB takes 12.8 s or more
        assertThat(slow.finishesAfter(System.nanoTime() + TimeUnit.SECONDS.toNanos(1))).isTrue();

        Uploads.Staged nearlyDone = upload(8L << 20);
        nearlyDone.progress(0);
        Thread.sleep(100);
        nearlyDone.progress(8L << 20); // all sent: only its trailers are left
        assertThat(nearlyDone.finishesAfter(System.nanoTime() + TimeUnit.SECONDS.toNanos(1))).isFalse();
    }
}
