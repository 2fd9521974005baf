package org.lafsfs.core.storage;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/** The answer to an allocation: shares the server already holds, and shares it will now accept (both in order). */
public record Allocation(Set<Integer> alreadyHave, Set<Integer> allocated) {
    public Allocation {
        alreadyHave = Collections.unmodifiableSortedSet(new TreeSet<>(alreadyHave));
        allocated = Collections.unmodifiableSortedSet(new TreeSet<>(allocated));
    }
}
