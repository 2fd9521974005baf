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
    APPEND
}
