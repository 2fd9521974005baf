/**
 * Dirnodes: the plaintext contents of a Tahoe-LAFS directory, as Tahoe's
 * dirnode.py packs them (docs/specifications/dirnodes.rst).
 *
 * <p>A directory is a file (mutable SDMF/MDMF, or immutable CHK/LIT) whose
 * plaintext is one netstring per child; each child is four netstrings: the
 * UTF-8 name, the read cap in clear, the write cap encrypted under the
 * directory's writekey, and the metadata as JSON. This package turns those
 * bytes into {@link org.lafsfs.core.dirnode.DirectoryEntry}s and back, byte
 * for byte as Tahoe-LAFS 1.20 does. Reading and publishing the file that holds
 * them is someone else's job.
 */
package org.lafsfs.core.dirnode;
