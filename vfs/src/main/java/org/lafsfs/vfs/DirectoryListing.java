package org.lafsfs.vfs;

/** One name in a directory with its attributes, as readdir returns them in one pass. */
public record DirectoryListing(String name, FileAttributes attributes) {
}
