package org.lafsfs.cli;

import java.util.Locale;
import org.lafsfs.core.cap.MutableFormat;

/** File formats as Tahoe's command line and tahoe.cfg spell them: CHK, SDMF, MDMF, in any case. */
final class Formats {
    private Formats() {
    }

    /** SDMF or MDMF; {@code where} names the option or setting for the error message. */
    static MutableFormat mutable(String text, String where) {
        return switch (text.strip().toUpperCase(Locale.ROOT)) {
            case "SDMF" -> MutableFormat.SDMF;
            case "MDMF" -> MutableFormat.MDMF;
            default -> throw new IllegalArgumentException(where + " must be SDMF or MDMF, not '" + text + "'");
        };
    }

    /** A file format: null for CHK (immutable), else the mutable format. */
    static MutableFormat file(String text, String where) {
        if (text.strip().equalsIgnoreCase("CHK")) {
            return null;
        }
        if (text.strip().equalsIgnoreCase("SDMF") || text.strip().equalsIgnoreCase("MDMF")) {
            return mutable(text, where);
        }
        throw new IllegalArgumentException(where + " must be CHK, SDMF or MDMF, not '" + text + "'");
    }
}
