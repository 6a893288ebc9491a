/**
 * The {@code xattr} driver's metadata: one small user extended attribute on each committed image
 * file. The front door is {@link io.imagecache.internal.store.xattr.XattrIndex}; the rest is
 * package-private.
 */
package io.imagecache.internal.store.xattr;
