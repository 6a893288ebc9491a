/**
 * Single-flight fills: one copy of an image from its origin into the cache, shared by every
 * caller that asks while it runs, followed by readers on the growing file. The front door is
 * {@link io.imagecache.internal.fill.FillRegistry}, which starts or joins a
 * {@link io.imagecache.internal.fill.Fill} fed by an
 * {@link io.imagecache.internal.fill.ImageSource}; the
 * {@link io.imagecache.internal.fill.DownloadPlanner} decides how a request is answered (hit, fill,
 * pass-through through {@link io.imagecache.internal.fill.VerifiedBody}), and
 * {@link io.imagecache.internal.fill.CacheAdmission} reserves the space. Types are public only
 * where the runtime or another internal package needs them.
 */
package io.imagecache.internal.fill;
