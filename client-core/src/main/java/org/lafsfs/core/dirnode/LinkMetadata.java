package org.lafsfs.core.dirnode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * The metadata Tahoe keeps on every link, under the {@code tahoe} key:
 * {@code linkcrtime}, when the name was first linked, and {@code linkmotime},
 * when the link last changed. Both are seconds since the epoch as floats
 * (Python's time.time()). These are facts about the link, not the file, so
 * users cannot set them: dirnode.py update_metadata.
 */
public final class LinkMetadata {
    static final String TAHOE = "tahoe";
    static final String LINK_CREATION_TIME = "linkcrtime";
    static final String LINK_MODIFICATION_TIME = "linkmotime";
    /** What Tahoe before 1.4 called linkcrtime; still honoured when linkcrtime is missing. */
    static final String OLD_CREATION_TIME = "ctime";

    private LinkMetadata() {
    }

    /**
     * The metadata after a child is linked or relinked, or its metadata set.
     *
     * @param existing the child's current metadata, or null when the name is new
     * @param replacement metadata the user gives, replacing every key except
     *     {@code tahoe} (which is never taken from the user); null keeps the
     *     existing keys
     * @param now the time of the change, in seconds since the epoch
     * @return new metadata; the arguments are not changed
     */
    public static ObjectNode update(ObjectNode existing, ObjectNode replacement, double now) {
        ObjectNode metadata = existing == null ? JsonNodeFactory.instance.objectNode() : existing.deepCopy();
        JsonNode oldCtime = metadata.get(OLD_CREATION_TIME);
        if (replacement != null) {
            ObjectNode replaced = replacement.deepCopy();
            // 'tahoe' moves to the end, as in Tahoe, where it is deleted and set again.
            replaced.remove(TAHOE);
            if (metadata.has(TAHOE)) {
                replaced.set(TAHOE, metadata.get(TAHOE));
            }
            metadata = replaced;
        }
        ObjectNode tahoe = metadata.get(TAHOE) instanceof ObjectNode existingTahoe
                ? existingTahoe : metadata.objectNode();
        if (!tahoe.has(LINK_CREATION_TIME)) {
            if (oldCtime != null) {
                tahoe.set(LINK_CREATION_TIME, oldCtime);
            } else {
                tahoe.put(LINK_CREATION_TIME, now);
            }
        }
        tahoe.put(LINK_MODIFICATION_TIME, now);
        metadata.set(TAHOE, tahoe);
        return metadata;
    }

    /** Now, as Python's time.time() gives it: seconds since the epoch, to the microsecond. */
    public static double now() {
        Instant now = Instant.now();
        // The double nearest the decimal, so it is written with at most six decimals.
        return Double.parseDouble(now.getEpochSecond() + "." + String.format("%06d", now.getNano() / 1_000));
    }
}
