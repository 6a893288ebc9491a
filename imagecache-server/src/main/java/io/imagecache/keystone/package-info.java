/**
 * Keystone for the server: checking that a user's token carries a role ({@link
 * io.imagecache.keystone.KeystoneRoleCheck}) and the cache's own origin credential that it
 * obtains and renews from Keystone ({@link io.imagecache.keystone.KeystoneOriginCredential}),
 * both over {@link io.imagecache.keystone.KeystoneClient}.
 */
package io.imagecache.keystone;
