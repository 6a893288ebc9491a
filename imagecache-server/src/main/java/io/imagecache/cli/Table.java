package io.imagecache.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table: a header row, then rows, columns padded to their widest cell and separated
 * by two spaces, chosen columns aligned right. Built and rendered by one thread.
 */
final class Table {
  private static final String GAP = "  ";

  private final List<String> headers;
  private final boolean[] rightAligned;
  private final List<List<String>> rows = new ArrayList<>();

  /** A table with these column headers. */
  Table(String... headers) {
    if (headers.length == 0) {
      throw new IllegalArgumentException("a table needs at least one column");
    }
    this.headers = List.of(headers);
    this.rightAligned = new boolean[headers.length];
  }

  /** Aligns the cells of {@code column} (counted from 0) to the right, as numbers are. */
  Table alignRight(int column) {
    rightAligned[column] = true;
    return this;
  }

  /** Adds a row with one cell per column. */
  Table row(String... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("expected " + headers.size() + " cells, got "
          + cells.length + ": " + Arrays.toString(cells));
    }
    rows.add(List.of(cells));
    return this;
  }

  /** The header line and one line per row, without trailing spaces or line ends. */
  List<String> lines() {
    int[] widths = new int[headers.size()];
    for (List<String> row : allRows()) {
      for (int column = 0; column < widths.length; column++) {
        widths[column] = Math.max(widths[column], row.get(column).length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (List<String> row : allRows()) {
      StringBuilder line = new StringBuilder();
      for (int column = 0; column < widths.length; column++) {
        if (column > 0) {
          line.append(GAP);
        }
        String cell = row.get(column);
        String padding = " ".repeat(widths[column] - cell.length());
        line.append(rightAligned[column] ? padding + cell : cell + padding);
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines;
  }

  private List<List<String>> allRows() {
    List<List<String>> all = new ArrayList<>(rows.size() + 1);
    all.add(headers);
    all.addAll(rows);
    return all;
  }
}
