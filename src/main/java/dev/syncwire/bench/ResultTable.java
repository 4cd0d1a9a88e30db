package dev.syncwire.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The one table of a run, as Markdown: a row per metric, a column per target and the Syncwire/raw
 * ratio. A cell is a number or a reason there is none ("void", "n/a"); ratios need two numbers.
 */
final class ResultTable {
  private static final String[] HEADER = {"metric", "Syncwire", "raw Vert.x", "Syncwire/raw"};

  /** A figure, or {@code NaN} with the text to show instead. */
  record Cell(double value, String text) {
    static Cell of(double value, String format) {
      return Double.isNaN(value) ? missing("n/a") : new Cell(value, String.format(format, value));
    }

    static Cell missing(String why) {
      return new Cell(Double.NaN, why);
    }

    boolean isNumber() {
      return !Double.isNaN(value);
    }
  }

  private final List<String[]> rows = new ArrayList<>();

  void section(String title) {
    rows.add(new String[] {"**" + title + "**", "", "", ""});
  }

  void add(String metric, Cell syncwire, Cell raw) {
    rows.add(new String[] {metric, syncwire.text(), raw.text(), ratio(syncwire, raw)});
  }

  private static String ratio(Cell syncwire, Cell raw) {
    if (!syncwire.isNumber() || !raw.isNumber() || raw.value() == 0) {
      return "-";
    }
    return String.format("%.2f", syncwire.value() / raw.value());
  }

  String render() {
    int[] widths = new int[HEADER.length];
    for (int c = 0; c < HEADER.length; c++) {
      widths[c] = HEADER[c].length();
      for (String[] row : rows) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, HEADER, widths);
    sb.append('|');
    for (int c = 0; c < widths.length; c++) {
      // Figures are right-aligned.
      sb.append('-').append("-".repeat(widths[c])).append(c == 0 ? "-|" : ":|");
    }
    sb.append('\n');
    for (String[] row : rows) {
      line(sb, row, widths);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String[] cells, int[] widths) {
    sb.append('|');
    for (int c = 0; c < cells.length; c++) {
      String cell = cells[c];
      String pad = " ".repeat(widths[c] - cell.length());
      sb.append(' ').append(c == 0 ? cell + pad : pad + cell).append(" |");
    }
    sb.append('\n');
  }
}
