package io.imagecache.bench;

/**
 * One measured quantity of a scenario: its name, unit, the goal imagecache should meet (text for the
 * report) and whether a bigger value is better.
 */
record FigureSpec(String name, String unit, String goal, boolean higherIsBetter) {
  FigureSpec {
    if (name == null || name.isBlank() || unit == null || goal == null) {
      throw new IllegalArgumentException("a figure needs a name, a unit and a goal (may be empty)");
    }
  }
}
