/**
 * The {@code imagecache} command line. Public: {@link io.imagecache.cli.Main} (entry point and
 * {@code commandLine(ServerRunner, env)}), {@link io.imagecache.cli.ServerRunner} (what
 * {@code serve} starts), the settings it is given ({@link io.imagecache.cli.ServeSettings},
 * {@link io.imagecache.cli.ListenAddress}, {@link io.imagecache.cli.OriginTimeouts}) and
 * {@link io.imagecache.cli.AdminToken}. Option parsing and resolution (flag &gt; environment
 * &gt; YAML file &gt; default) are package-private, and so are the management commands
 * ({@code list}, {@code queue}, {@code delete}, {@code clear}, {@code clean}, {@code prune},
 * {@code nodes}, {@code pin}, {@code unpin}), which call a running server's API through
 * {@code ApiClient} with the token from {@code --token}, {@code IMAGECACHE_TOKEN} or the
 * server's token file.
 */
package io.imagecache.cli;
