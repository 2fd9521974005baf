package org.lafsfs.vfs;

/** How a file is opened (the open(2) flags that matter here). */
public enum OpenOption {
    READ,
    WRITE,
    /** Create the file if it does not exist. */
    CREATE,
    /** With CREATE: fail with EEXIST if it exists. */
    EXCLUSIVE,
    /** Cut the file to zero length on open. */
    TRUNCATE,
    /** Every write goes to the end. */
    APPEND,
    /**
     * With CREATE, for a file made whole before anyone may see it (drop-upload): a new name is linked only
     * once its contents are uploaded, not at open as creat(2) would have it, so that no reader of the
     * directory ever sees it empty or partial. An existing file keeps its old contents until then.
     */
    LINK_WHEN_UPLOADED
}
