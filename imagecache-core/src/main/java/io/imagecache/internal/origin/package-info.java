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
 * <p>Plain-HTTP GETs are made by {@link io.imagecache.internal.origin.PlainHttp} on the calling
 * (fill) thread, their bodies read straight from the socket into the fill's buffer, and a
 * connection whose body was read to its end kept for the next request to the same address
 * ({@link io.imagecache.internal.origin.IdleConnections}); HTTPS, redirects and every other request go through the JDK HTTP client. Deployments
 * should start the JVM with {@code -Djdk.httpclient.bufsize=262144}: the JDK client then reads
 * bodies in 256 KiB buffers, which is much faster for multi-GiB images over HTTPS.
 */
package io.imagecache.internal.origin;
