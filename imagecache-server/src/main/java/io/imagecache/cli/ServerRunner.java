package io.imagecache.cli;

import java.util.Optional;

/**
 * What {@code imagecache serve} hands the resolved settings to: the HTTP server, run until it
 * stops. {@link Main} finds the implementation on the class path (see {@link Main#main}).
 */
@FunctionalInterface
public interface ServerRunner {

  /**
   * Runs the server with {@code settings}, whose admin token is always present, until it stops.
   *
   * @return the process exit code: 0 after a clean shutdown
   * @throws Exception on a failure that ends the server; {@code serve} reports its message and
   *     exits with 1
   */
  int run(ServeSettings settings) throws Exception;

  /**
   * Like {@link #run(ServeSettings)}, able to read the settings again from the sources they came
   * from (on SIGHUP). By default the settings are never read again.
   */
  default int run(ServeSettings settings, SettingsSource reread) throws Exception {
    return run(settings);
  }

  /** Resolves the settings of {@code serve} again from the flags, environment and config file. */
  @FunctionalInterface
  interface SettingsSource {
    /** The settings as they resolve now; throws with a one-line message if they do not. */
    ServeSettings read() throws Exception;

    /**
     * The logging settings as they resolve now (throws with a one-line message if they do not);
     * empty when this source does not read them, and then logging is not reloaded.
     */
    default Optional<LogSettings> readLogs() throws Exception {
      return Optional.empty();
    }
  }

  /**
   * Sets up the process's logging from {@code logs} before {@link #run}. A runner that does not
   * own the process's logging (one embedded in a test) leaves it as it is.
   *
   * @throws Exception when a log file cannot be opened; {@code serve} exits with 1
   */
  default void configureLogging(LogSettings logs) throws Exception {}
}
