package io.imagecache.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.ImageCache;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * What every connection's handlers share: the cache (the server's only door to files and
 * metadata), the executor for calls that block, JSON, the admin credential and the Glance proxy.
 *
 * @param cache the cache; its calls block, so they run on {@code blocking}
 * @param blocking where blocking calls run; never an event loop
 * @param json a shared, thread-safe mapper
 * @param adminAuth what {@code X-Auth-Token} must be for management calls
 * @param proxy the pass-through to the Glance origin, when the origin is a Glance API
 * @param fleetAuth what {@code X-Imagecache-Fleet-Token} must be for peer requests
 * @param peerUploads how many peers stream each image from this node at once
 */
record ServerContext(
    ImageCache cache, Executor blocking, ObjectMapper json, AdminAuth adminAuth,
    Optional<GlanceProxy> proxy, FleetAuth fleetAuth, PeerUploads peerUploads) {}
