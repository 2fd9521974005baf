/**
 * Caffeine caches of what lafsfs read from the grid, with every invalidation rule in one place,
 * {@link org.lafsfs.cache.GridCache}; sizes and times come from {@link org.lafsfs.cache.CacheConfig}.
 *
 * <p>The rules:
 * <ul>
 * <li>Our own writes are precise: after publishing a directory the writer puts exactly what it published
 * (replacing the old listing), so it shows at once; after changing a mutable file, or when a publish fails or meets
 * another writer, it invalidates the file, which drops everything kept under its storage index (listing, size,
 * servermap, segments of every version).
 * <li>Other clients' writes show when the entry expires: mutable directory listings and mutable file sizes after
 * {@code dir-cache-time}, servermaps after {@code servermap-cache-time}. A zero time turns that cache off.
 * <li>Immutable things never expire, since they cannot change: immutable directories (DIR2-CHK, DIR2-LIT) and
 * plaintext segments (a segment is named by a version tag, {@code chk} or the mutable version's seqnum and root
 * hash, that fixes its contents). They leave only when the size bounds evict them.
 * <li>A directory's write cap and read cap share one entry (by storage index); a read cap is never shown the
 * children's write caps, and a write cap is never given a listing read through a read cap.
 * </ul>
 */
package org.lafsfs.cache;
