package org.lafsfs.core.storage;

import java.util.Set;

/** The answer to an allocation: shares the server already holds, and shares it will now accept. */
public record Allocation(Set<Integer> alreadyHave, Set<Integer> allocated) {
    public Allocation {
        alreadyHave = Set.copyOf(alreadyHave);
        allocated = Set.copyOf(allocated);
    }
}
