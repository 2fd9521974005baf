package org.lafsfs.core.storage;

import java.util.List;
import java.util.Map;

/** Whether the tests passed (and the writes happened), and what was read from each share beforehand. */
public record ReadTestWriteResult(boolean success, Map<Integer, List<byte[]>> data) {
    public ReadTestWriteResult {
        data = Map.copyOf(data);
    }
}
