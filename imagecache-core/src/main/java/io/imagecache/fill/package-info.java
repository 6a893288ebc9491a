/**
 * Single-flight fills: one copy of an image from its origin into the cache, shared by every
 * caller that asks while it runs, followed by readers on the growing file. The front door is
 * {@link io.imagecache.fill.Fill} (with {@link io.imagecache.FillProgress} and
 * {@link io.imagecache.fill.FillCancelledException}), fed by an
 * {@link io.imagecache.fill.ImageSource} answering a {@link io.imagecache.fill.SourceResponse};
 * {@link io.imagecache.fill.FillRegistry}, {@link io.imagecache.fill.FillAdmission} and
 * {@link io.imagecache.fill.FillListener} are public only for the facade in
 * {@code io.imagecache}. The rest is package-private.
 */
package io.imagecache.fill;
