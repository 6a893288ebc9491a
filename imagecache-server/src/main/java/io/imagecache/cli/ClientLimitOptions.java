package io.imagecache.cli;

import io.imagecache.Sizes;
import io.imagecache.server.ClientLimits;

/** Resolves the client limits: the header, idle and write-stall timeouts, connections, header size. */
final class ClientLimitOptions {
  private ClientLimitOptions() {}

  static ClientLimits resolve(OptionValues values) throws SettingsException {
    ClientLimits defaults = ClientLimits.DEFAULT;
    return new ClientLimits(
        values.get(ServeOption.HEADER_TIMEOUT, OptionParsers::positive,
            defaults.headerTimeout()),
        values.get(ServeOption.IDLE_TIMEOUT, OptionParsers::positive, defaults.idleTimeout()),
        values.get(ServeOption.WRITE_STALL_TIMEOUT, OptionParsers::positive,
            defaults.writeStallTimeout()),
        values.get(ServeOption.MAX_CONNECTIONS, ClientLimitOptions::maxConnections,
            defaults.maxConnections()),
        values.get(ServeOption.MAX_HEADER_SIZE, ClientLimitOptions::headerSize,
            defaults.maxHeaderSize()));
  }

  private static int maxConnections(String text) {
    return OptionParsers.wholeNumber(text, 1, ClientLimits.MAX_CONNECTIONS);
  }

  private static int headerSize(String text) {
    long size = Sizes.parse(text);
    if (size < ClientLimits.MIN_HEADER_SIZE || size > ClientLimits.MAX_HEADER_SIZE) {
      throw new IllegalArgumentException("expected a size from 1KiB to 1MiB");
    }
    return (int) size;
  }
}
