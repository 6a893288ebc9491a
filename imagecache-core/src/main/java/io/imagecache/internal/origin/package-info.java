/**
 * Where image bytes come from. The front door is {@link io.imagecache.internal.origin.Origin}, made by
 * {@link io.imagecache.internal.origin.Origins#parse} from the ORIGIN setting and
 * {@link io.imagecache.internal.origin.OriginSettings}; it answers {@link io.imagecache.internal.origin.ImageMetadata}
 * and opens downloads as {@link io.imagecache.internal.fill.ImageSource}s. Failures are the typed exceptions
 * {@link io.imagecache.ImageNotFoundException},
 * {@link io.imagecache.OriginAccessDeniedException},
 * {@link io.imagecache.ImageNotActiveException} and
 * {@link io.imagecache.OriginUnavailableException}. The directory, HTTP template and Glance
 * implementations and the HTTP plumbing are package-private.
 *
 * <p>Deployments should start the JVM with {@code -Djdk.httpclient.bufsize=262144}: the JDK HTTP
 * client then reads bodies in 256 KiB buffers, which is much faster for multi-GiB images.
 */
package io.imagecache.internal.origin;
