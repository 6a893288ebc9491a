package io.imagecache.cli;

/** A text progress bar with its percentage: {@code [#########...............]  37%}. */
final class ProgressBar {

  /** Characters between the brackets. */
  static final int WIDTH = 24;

  private ProgressBar() {}

  /**
   * The bar for {@code done} of {@code total} bytes. The percentage rounds down and shows 100
   * only when everything is done; an empty total counts as done.
   */
  static String render(long done, long total) {
    if (done < 0 || total < 0) {
      throw new IllegalArgumentException("bytes must be >= 0: " + done + " of " + total);
    }
    double fraction = total == 0 ? 1 : Math.min(1.0, (double) done / total);
    int percent = (int) Math.floor(fraction * 100);
    if (done < total) {
      percent = Math.min(percent, 99);
    }
    int filled = (int) Math.floor(fraction * WIDTH);
    if (done < total) {
      filled = Math.min(filled, WIDTH - 1);
    }
    return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
        + String.format("%3d%%", percent);
  }
}
