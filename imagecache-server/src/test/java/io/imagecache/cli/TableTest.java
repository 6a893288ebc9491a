package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {

  @Test
  void columnsArePaddedToTheWidestCellAndNumbersAlignRight() {
    Table table = new Table("NAME", "SIZE", "NOTE").alignRight(1)
        .row("a", "1.0 GiB", "x")
        .row("longer-name", "12 B", "");

    assertThat(table.lines()).containsExactly(
        "NAME            SIZE  NOTE",
        "a            1.0 GiB  x",
        "longer-name     12 B");
  }

  @Test
  void aRowWithTheWrongNumberOfCellsIsRejected() {
    Table table = new Table("A", "B");

    assertThatThrownBy(() -> table.row("only one"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected 2 cells, got 1: [only one]");
  }
}
