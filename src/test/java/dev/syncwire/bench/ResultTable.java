package dev.syncwire.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One table of a run, as Markdown: a row per metric and a column per target (or per variant of one
 * target). A comparing table adds the ratio of its first column to each other one, as the table of Syncwire
 * and the servers it is compared with does. A cell is a number or a reason there is none ("void", "n/a");
 * ratios need two numbers.
 */
final class ResultTable {
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

  private final String[] header;
  /** How many ratio columns follow the figures: the first column over the second, third, ... */
  private final int ratios;
  private final List<String[]> rows = new ArrayList<>();

  /**
   * A table with one column per name in {@code columns}; with {@code ratioName} not null, one more column
   * with the first column divided by the second.
   */
  ResultTable(List<String> columns, String ratioName) {
    this(columns, ratioName == null ? List.of() : List.of(ratioName));
  }

  private ResultTable(List<String> columns, List<String> ratioNames) {
    List<String> h = new ArrayList<>();
    h.add("metric");
    h.addAll(columns);
    h.addAll(ratioNames);
    this.header = h.toArray(new String[0]);
    this.ratios = ratioNames.size();
  }

  /** One column per target, then the first target's figure over each other's ("Syncwire/raw Vert.x", ...). */
  static ResultTable comparing(List<String> columns) {
    List<String> ratioNames = new ArrayList<>();
    for (int i = 1; i < columns.size(); i++) {
      ratioNames.add(columns.get(0) + "/" + columns.get(i));
    }
    return new ResultTable(columns, ratioNames);
  }

  private int figureColumns() {
    return header.length - 1 - ratios;
  }

  void section(String title) {
    String[] row = new String[header.length];
    java.util.Arrays.fill(row, "");
    row[0] = "**" + title + "**";
    rows.add(row);
  }

  void add(String metric, Cell... cells) {
    if (cells.length != figureColumns()) {
      throw new IllegalArgumentException(metric + ": " + cells.length + " cells for " + figureColumns() + " columns");
    }
    String[] row = new String[header.length];
    row[0] = metric;
    for (int i = 0; i < cells.length; i++) {
      row[i + 1] = cells[i].text();
    }
    for (int r = 0; r < ratios; r++) {
      row[1 + cells.length + r] = ratio(cells[0], cells[r + 1]);
    }
    rows.add(row);
  }

  private static String ratio(Cell first, Cell second) {
    if (!first.isNumber() || !second.isNumber() || second.value() == 0) {
      return "-";
    }
    return String.format("%.2f", first.value() / second.value());
  }

  String render() {
    int[] widths = new int[header.length];
    for (int c = 0; c < header.length; c++) {
      widths[c] = header[c].length();
      for (String[] row : rows) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, header, widths);
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
