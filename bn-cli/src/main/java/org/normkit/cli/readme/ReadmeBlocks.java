package org.normkit.cli.readme;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figure blocks of a README: the lines between {@code <!-- results:KEY -->} and {@code <!-- /results:KEY -->},
 * each marker on a line of its own. Everything outside the blocks is prose that this class never touches.
 */
public final class ReadmeBlocks {

    private static final Pattern OPEN = Pattern.compile("^<!-- results:([A-Za-z0-9_.-]+) -->$");
    private static final Pattern CLOSE = Pattern.compile("^<!-- /results:([A-Za-z0-9_.-]+) -->$");

    /** One block: its key, and the index of its opening and closing marker lines. */
    private record Block(String key, int open, int close) {}

    private final List<String> lines;
    private final Map<String, Block> blocks;

    private ReadmeBlocks(List<String> lines, Map<String, Block> blocks) {
        this.lines = lines;
        this.blocks = blocks;
    }

    /** Finds the blocks of {@code readme}; an unclosed, nested, mismatched or repeated block is an error. */
    public static ReadmeBlocks parse(String readme) {
        List<String> lines = List.of(readme.split("\n", -1));
        Map<String, Block> blocks = new LinkedHashMap<>();
        String openKey = null;
        int openLine = -1;
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = OPEN.matcher(lines.get(i).strip());
            Matcher close = CLOSE.matcher(lines.get(i).strip());
            if (open.matches()) {
                if (openKey != null) {
                    throw new IllegalArgumentException("README line " + (i + 1) + " opens block " + open.group(1)
                            + " inside block " + openKey + " (opened on line " + (openLine + 1) + "); close "
                            + openKey + " first");
                }
                openKey = open.group(1);
                openLine = i;
            } else if (close.matches()) {
                if (!close.group(1).equals(openKey)) {
                    throw new IllegalArgumentException("README line " + (i + 1) + " closes block " + close.group(1)
                            + (openKey == null ? ", which is not open" : " while block " + openKey + " is open"));
                }
                if (blocks.put(openKey, new Block(openKey, openLine, i)) != null) {
                    throw new IllegalArgumentException("README has two blocks " + openKey + "; keep one");
                }
                openKey = null;
            }
        }
        if (openKey != null) {
            throw new IllegalArgumentException("README block " + openKey + " opened on line " + (openLine + 1)
                    + " is never closed: add <!-- /results:" + openKey + " -->");
        }
        return new ReadmeBlocks(lines, blocks);
    }

    public List<String> keys() {
        return List.copyOf(blocks.keySet());
    }

    /** The README with each block's content replaced by {@code rendered}'s; blocks without a rendering are kept. */
    public String rewrite(Map<String, String> rendered) {
        List<String> out = new ArrayList<>();
        int next = 0;
        for (Block block : blocks.values()) {
            out.addAll(lines.subList(next, block.open() + 1));
            String content = rendered.get(block.key());
            out.addAll(content == null ? content(block) : contentLines(content));
            next = block.close();
        }
        out.addAll(lines.subList(next, lines.size()));
        return String.join("\n", out);
    }

    /**
     * Where the README disagrees with {@code rendered}: one message per block whose content differs (naming its key
     * and the first differing line, README's and the files'), per rendered figure the README has no block for,
     * and per README block no figure renders. Empty when they agree.
     */
    public List<String> disagreements(Map<String, String> rendered) {
        List<String> problems = new ArrayList<>();
        rendered.forEach((key, content) -> {
            Block block = blocks.get(key);
            if (block == null) {
                problems.add("README has no block " + key + ": add <!-- results:" + key + " --> and <!-- /results:"
                        + key + " --> where the figure belongs");
            } else {
                firstDifference(key, content(block), contentLines(content)).ifPresent(problems::add);
            }
        });
        blocks.keySet().stream().filter(key -> !rendered.containsKey(key)).forEach(key -> problems.add(
                "README block " + key + " has no figure to render it: register one in ReadmeFigures or remove "
                        + "the block"));
        return problems;
    }

    private static Optional<String> firstDifference(String key, List<String> readme, List<String> files) {
        int common = Math.min(readme.size(), files.size());
        for (int i = 0; i < common; i++) {
            if (!readme.get(i).equals(files.get(i))) {
                return Optional.of(difference(key, i, readme.get(i), files.get(i)));
            }
        }
        if (readme.size() != files.size()) {
            return Optional.of(difference(key, common, common < readme.size() ? readme.get(common) : "(no line)",
                    common < files.size() ? files.get(common) : "(no line)"));
        }
        return Optional.empty();
    }

    private static String difference(String key, int line, String readme, String files) {
        return "README block " + key + " disagrees with its result files at line " + (line + 1) + " of the block:\n"
                + "  README: " + readme + "\n  files:  " + files;
    }

    private List<String> content(Block block) {
        return lines.subList(block.open() + 1, block.close());
    }

    private static List<String> contentLines(String content) {
        String trimmed = content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\n", -1));
    }
}
