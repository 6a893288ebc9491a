package io.imagecache.cli;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Shows the progress lines of {@code queue --wait}: on a terminal, one line per image redrawn in
 * place with ANSI cursor moves; elsewhere (a file, a pipe, a CI log) a new line for an image only
 * when its phase, attempt or tenth of the size changes. Used by the thread running the command.
 */
final class ProgressDisplay {
  private static final String ESC = "\u001b[";

  private final PrintWriter out;
  private final boolean ansiTerminal;
  /** Lines drawn last time, to move the cursor back over them (terminal mode). */
  private int drawnLines;
  /** The milestone of the last line printed per image (line mode). */
  private final Map<String, Object> printed = new HashMap<>();

  ProgressDisplay(PrintWriter out, boolean ansiTerminal) {
    this.out = Objects.requireNonNull(out, "out");
    this.ansiTerminal = ansiTerminal;
  }

  /** Shows the images' current progress. */
  void show(List<ImageProgress> images) {
    int idWidth = images.stream().mapToInt(image -> image.imageId().length()).max().orElse(0);
    if (ansiTerminal) {
      if (drawnLines > 0) {
        out.print(ESC + drawnLines + "A");
      }
      for (ImageProgress image : images) {
        out.print("\r" + image.line(idWidth) + ESC + "K\n");
      }
      drawnLines = images.size();
    } else {
      for (ImageProgress image : images) {
        Object milestone = image.milestone();
        if (!milestone.equals(printed.put(image.imageId(), milestone))) {
          out.println(image.line(idWidth));
        }
      }
    }
    out.flush();
  }
}
