package org.lafsfs.core.cap;

import java.util.Optional;

/**
 * {@code URI:DIR2*}: a directory is a file holding its entries, and a directory
 * cap is the cap of that file under a directory prefix. The prefix follows the
 * file cap's kind: SSK/SSK-RO/SSK-Verifier become DIR2/DIR2-RO/DIR2-Verifier,
 * every other kind K becomes DIR2-K (DIR2-CHK, DIR2-LIT, DIR2-MDMF-RO, ...).
 */
public final class DirectoryCap extends AbstractCap implements Cap {
    private final Cap fileCap;

    public DirectoryCap(Cap fileCap) {
        if (fileCap instanceof DirectoryCap || fileCap instanceof UnknownCap) {
            throw new IllegalArgumentException("a directory cap wraps a file cap, not " + fileCap.kind());
        }
        this.fileCap = fileCap;
    }

    /** The cap of the file that holds the directory's entries. */
    public Cap fileCap() {
        return fileCap;
    }

    /** The directory kind for a file cap kind (the inverse of {@link #fileKind}). */
    static String directoryKind(String fileKind) {
        return fileKind.startsWith("SSK") ? "DIR2" + fileKind.substring(3) : "DIR2-" + fileKind;
    }

    /** The file cap kind inside a directory kind, or null if {@code directoryKind} is not a DIR2 kind. */
    static String fileKind(String directoryKind) {
        if (directoryKind.equals("DIR2")) {
            return "SSK";
        }
        if (directoryKind.equals("DIR2-RO") || directoryKind.equals("DIR2-Verifier")) {
            return "SSK" + directoryKind.substring(4);
        }
        if (directoryKind.startsWith("DIR2-")) {
            return directoryKind.substring(5);
        }
        return null;
    }

    @Override
    public String kind() {
        return directoryKind(fileCap.kind());
    }

    @Override
    protected String canonical() {
        String inner = fileCap.uri();
        return "URI:" + kind() + inner.substring(("URI:" + fileCap.kind()).length());
    }

    @Override
    public boolean isReadOnly() {
        return fileCap.isReadOnly();
    }

    @Override
    public boolean isMutable() {
        return fileCap.isMutable();
    }

    @Override
    public boolean isVerifier() {
        return fileCap.isVerifier();
    }

    @Override
    public Optional<Cap> readOnly() {
        return fileCap.readOnly().map(DirectoryCap::new);
    }

    @Override
    public Optional<Cap> verifyCap() {
        return fileCap.verifyCap().map(DirectoryCap::new);
    }

    @Override
    public Optional<StorageIndex> storageIndex() {
        return fileCap.storageIndex();
    }
}
