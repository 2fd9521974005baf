/**
 * Check, verify and repair, in Tahoe's words: a check asks every server which
 * shares it holds; a verify also downloads and hash-checks every byte of every
 * share (telling servers about corrupt ones); a repair brings an unhealthy file
 * back to all N shares (immutable: missing shares regenerated and uploaded;
 * mutable: the newest version republished over every share). {@link Checker}
 * is the entry point; {@link DeepCheck} and {@link Manifest} walk a directory
 * tree.
 */
package org.lafsfs.core.check;
