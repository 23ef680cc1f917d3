package org.normkit.experiments.report;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A report as a list of blocks, rendered twice: as Markdown, which links its images as files beside it, and as
 * HTML, which embeds them as data URIs so the one file can be mailed or attached on its own. Writing the content
 * once and rendering it twice keeps the two versions from drifting apart.
 */
final class ReportDocument {

    private sealed interface Block permits Heading, Paragraph, Warning, Bullets, Table, Image {}

    private record Heading(int level, String text) implements Block {}

    private record Paragraph(String text) implements Block {}

    private record Warning(String text) implements Block {}

    private record Bullets(List<String> items) implements Block {}

    private record Table(MarkdownTable table) implements Block {}

    /** The PNG is made on first use: a caller that only reads the Markdown tables never draws a plot. */
    private record Image(String alt, String fileName, Supplier<byte[]> png) implements Block {}

    private final List<Block> blocks = new ArrayList<>();

    ReportDocument heading(int level, String text) {
        blocks.add(new Heading(level, text));
        return this;
    }

    ReportDocument paragraph(String text) {
        blocks.add(new Paragraph(text));
        return this;
    }

    /** A paragraph the reader must not miss, such as the notice that the data is synthetic. */
    ReportDocument warning(String text) {
        blocks.add(new Warning(text));
        return this;
    }

    ReportDocument bullets(List<String> items) {
        blocks.add(new Bullets(List.copyOf(items)));
        return this;
    }

    ReportDocument table(List<String> header, List<List<String>> rows) {
        return table(new MarkdownTable(header, rows));
    }

    ReportDocument table(MarkdownTable table) {
        blocks.add(new Table(table));
        return this;
    }

    /** An image saved beside the report as {@code fileName}, drawn by {@code png} once, when first needed. */
    ReportDocument image(String alt, String fileName, Supplier<byte[]> png) {
        blocks.add(new Image(alt, fileName, memoized(png)));
        return this;
    }

    private static Supplier<byte[]> memoized(Supplier<byte[]> supplier) {
        byte[][] made = new byte[1][];
        return () -> {
            if (made[0] == null) {
                made[0] = supplier.get();
            }
            return made[0];
        };
    }

    /** The images to save beside the Markdown file, by file name. */
    Map<String, byte[]> images() {
        Map<String, byte[]> images = new LinkedHashMap<>();
        for (Block block : blocks) {
            if (block instanceof Image image) {
                images.put(image.fileName(), image.png().get());
            }
        }
        return images;
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        for (Block block : blocks) {
            if (block instanceof Heading heading) {
                out.append("#".repeat(heading.level())).append(' ').append(heading.text()).append('\n');
            } else if (block instanceof Paragraph paragraph) {
                out.append(paragraph.text()).append('\n');
            } else if (block instanceof Warning warning) {
                out.append("> **Warning:** ").append(warning.text()).append('\n');
            } else if (block instanceof Bullets bullets) {
                bullets.items().forEach(item -> out.append("- ").append(item).append('\n'));
            } else if (block instanceof Table table) {
                out.append(table.table().markdown());
            } else if (block instanceof Image image) {
                out.append("![").append(image.alt()).append("](").append(image.fileName()).append(")\n");
            }
            out.append('\n');
        }
        return out.toString();
    }

    String html(String title) {
        StringBuilder out = new StringBuilder();
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(title)).append("</title>\n<style>\n")
                .append("body { font-family: sans-serif; max-width: 60em; margin: 2em auto; line-height: 1.45; }\n")
                .append("table { border-collapse: collapse; margin: 1em 0; }\n")
                .append("th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }\n")
                .append("th { background: #f3f3f3; }\n")
                .append(".warning { border-left: 4px solid #d55e00; background: #fff4ec; padding: 0.6em 1em; }\n")
                .append("img { max-width: 100%; }\n</style>\n</head>\n<body>\n");
        for (Block block : blocks) {
            if (block instanceof Heading heading) {
                out.append("<h").append(heading.level()).append('>').append(escape(heading.text()))
                        .append("</h").append(heading.level()).append(">\n");
            } else if (block instanceof Paragraph paragraph) {
                out.append("<p>").append(escape(paragraph.text())).append("</p>\n");
            } else if (block instanceof Warning warning) {
                out.append("<p class=\"warning\"><strong>Warning:</strong> ").append(escape(warning.text()))
                        .append("</p>\n");
            } else if (block instanceof Bullets bullets) {
                out.append("<ul>\n");
                bullets.items().forEach(item -> out.append("<li>").append(escape(item)).append("</li>\n"));
                out.append("</ul>\n");
            } else if (block instanceof Table table) {
                out.append("<table>\n<tr>");
                table.table().header().forEach(cell -> out.append("<th>").append(escape(cell)).append("</th>"));
                out.append("</tr>\n");
                for (List<String> row : table.table().rows()) {
                    out.append("<tr>");
                    row.forEach(cell -> out.append("<td>").append(escape(cell)).append("</td>"));
                    out.append("</tr>\n");
                }
                out.append("</table>\n");
            } else if (block instanceof Image image) {
                out.append("<p><img alt=\"").append(escape(image.alt())).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(image.png().get())).append("\"></p>\n");
            }
        }
        return out.append("</body>\n</html>\n").toString();
    }


    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
