package org.lafsfs.core.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Servers-of-happiness counts shares that can be matched to distinct servers, not servers or shares. */
class HappinessTest {
    @Test
    void oneShareEachOnDistinctServersIsTheirNumber() {
        assertThat(Happiness.of(Map.of(0, List.of("a"), 1, List.of("b"), 2, List.of("c")))).isEqualTo(3);
    }

    @Test
    void aServerHoldingSeveralSharesCountsOnce() {
        assertThat(Happiness.of(Map.of(0, List.of("a"), 1, List.of("a"), 2, List.of("a"), 3, List.of("b"))))
                .isEqualTo(2);
    }

    @Test
    void serversHoldingOnlyTheSameShareCountOnce() {
        assertThat(Happiness.of(Map.of(0, List.of("a", "b", "c")))).isEqualTo(1);
    }

    @Test
    void anEarlierChoiceIsMovedToMakeRoomForALaterShare() {
        // Share 0 could sit on a or b, share 1 only on a: the best matching puts 0 on b.
        Map<Integer, List<String>> holders = Map.of(0, List.of("a", "b"), 1, List.of("a"));
        assertThat(Happiness.matching(holders)).containsEntry(0, "b").containsEntry(1, "a");
        assertThat(Happiness.of(holders)).isEqualTo(2);
    }

    @Test
    void nothingHeldIsZero() {
        assertThat(Happiness.of(Map.<Integer, List<String>>of())).isZero();
    }
}
