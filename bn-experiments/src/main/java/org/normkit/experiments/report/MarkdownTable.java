package org.normkit.experiments.report;

import java.util.List;

/**
 * A table as the reports print it: a header and rows of text cells, every row as long as the header. Reports and the
 * README's figures both print their tables through {@link #markdown()}, so a figure in the README reads exactly as
 * in the report it comes from.
 */
public record MarkdownTable(List<String> header, List<List<String>> rows) {

    public MarkdownTable {
        header = List.copyOf(header);
        rows = rows.stream().map(List::copyOf).toList();
        for (List<String> row : rows) {
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("table row " + row + " has " + row.size() + " cells, the header "
                        + header.size());
            }
        }
    }

    /** GitHub-flavoured Markdown, one line per row, each ending in a line break; '|' in a cell is escaped. */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        row(out, header);
        out.append('|').append(" --- |".repeat(header.size())).append('\n');
        rows.forEach(row -> row(out, row));
        return out.toString();
    }

    private static void row(StringBuilder out, List<String> cells) {
        out.append('|');
        cells.forEach(cell -> out.append(' ').append(cell.replace("|", "\\|")).append(" |"));
        out.append('\n');
    }
}
