package org.lafsfs.vfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Disjoint, merged byte ranges [start, end): which parts of a file were written locally. */
final class RangeSet {
    private final TreeMap<Long, Long> ranges = new TreeMap<>(); // start -> end

    void add(long start, long end) {
        if (start >= end) {
            return;
        }
        Map.Entry<Long, Long> before = ranges.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
        }
        for (Map.Entry<Long, Long> e = ranges.ceilingEntry(start); e != null && e.getKey() <= end;
                e = ranges.ceilingEntry(start)) {
            end = Math.max(end, e.getValue());
            ranges.remove(e.getKey());
        }
        ranges.put(start, end);
    }

    /** Forgets everything at or beyond {@code limit}. */
    void cut(long limit) {
        Map.Entry<Long, Long> before = ranges.lowerEntry(limit);
        ranges.tailMap(limit, true).clear();
        if (before != null && before.getValue() > limit) {
            ranges.put(before.getKey(), limit);
        }
    }

    /** The range containing {@code at}, or null. */
    long[] containing(long at) {
        Map.Entry<Long, Long> e = ranges.floorEntry(at);
        return e != null && e.getValue() > at ? new long[] {e.getKey(), e.getValue()} : null;
    }

    /** The start of the first range after {@code at}, or Long.MAX_VALUE. */
    long nextStart(long at) {
        Long next = ranges.higherKey(at);
        return next == null ? Long.MAX_VALUE : next;
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    List<long[]> list() {
        List<long[]> out = new ArrayList<>();
        ranges.forEach((s, e) -> out.add(new long[] {s, e}));
        return out;
    }

    /** The gaps in [0, limit) not covered by any range. */
    List<long[]> gaps(long limit) {
        List<long[]> out = new ArrayList<>();
        long at = 0;
        for (Map.Entry<Long, Long> e : ranges.entrySet()) {
            if (e.getKey() >= limit) {
                break;
            }
            if (e.getKey() > at) {
                out.add(new long[] {at, e.getKey()});
            }
            at = Math.max(at, e.getValue());
        }
        if (at < limit) {
            out.add(new long[] {at, limit});
        }
        return out;
    }
}
