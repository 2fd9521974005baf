package org.lafsfs.core.cap;

/**
 * The two mutable-file formats. They share key derivation and cap shape and
 * differ in share layout (SDMF: one segment; MDMF: many, with per-segment salts).
 */
public enum MutableFormat {
    SDMF("SSK"),
    MDMF("MDMF");

    private final String capKind;

    MutableFormat(String capKind) {
        this.capKind = capKind;
    }

    /** The cap kind of the write cap: {@code SSK} or {@code MDMF}; read and verify caps append -RO / -Verifier. */
    public String capKind() {
        return capKind;
    }
}
