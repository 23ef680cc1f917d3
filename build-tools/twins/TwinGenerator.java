import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Expands the float32/float64 twin templates of a module into Java sources, as the JDK generates its buffer classes
 * from {@code X-Buffer.java.template}: loops that must exist once per element type for speed are written once.
 *
 * <p>Run by Maven in {@code generate-sources} (exec-maven-plugin, see the root pom's {@code twins} execution) as a
 * single-file program, {@code java TwinGenerator.java TEMPLATE_ROOT OUTPUT_ROOT}: every {@code X.java.template} below
 * the template root becomes {@code X.java} at the same relative path below the output root (a directory under
 * {@code target/}, so a generated file cannot be edited by hand and kept: the next build writes it again). A file
 * is rewritten only when its text changes, so the compiler's staleness check still skips unchanged modules; files
 * in the output root that no template produces any more are deleted.
 *
 * <p>The template language, line by line (a directive is a line whose text starts with {@code //#}):
 * <ul>
 *   <li>{@code //#twins} … {@code //#end}: the lines between are written twice, once for float and once for
 *       double, in that order; between the two copies stands one empty line, or the lines of an optional
 *       {@code //#between} section (such as a line "} else {" that puts the twins in the two branches of a dtype test).</li>
 *   <li>{@code //#if float} (or {@code double}) … [{@code //#else} …] {@code //#end}, inside a twins region: lines
 *       for one type only, such as a float32 fast path through the Vector API.</li>
 *   <li>{@code //#fragment NAME} … {@code //#end}, outside a twins region: lines written nowhere where they stand,
 *       and wherever a later line {@code //#insert NAME} stands (outside or inside a twins region), as they are: code
 *       that must be written out in several methods for speed, such as {@code VectorExp}'s polynomial in its exp and
 *       sigmoid loops, kept once. A fragment holds no directive, and one that is never inserted is an error.</li>
 *   <li>Placeholders, inside a twins region: {@code $type$} (float, double), {@code $Type$} (Float, Double),
 *       {@code $DTYPE$} (FLOAT32, FLOAT64), {@code $blas$} (s, d: BLAS's precision letter) and {@code $round$}
 *       ({@code (float) } and nothing: the rounding of a double result to the element type).</li>
 * </ul>
 * Anything else is an error that names the template, the line and the way out: an unknown directive or
 * placeholder, a placeholder outside a twins region, a region nested in another or left open, an unknown or unused
 * fragment.
 */
public final class TwinGenerator {
    private static final String SUFFIX = ".java.template";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$(\\w+)\\$");
    private static final List<Map<String, String>> TYPES = List.of(
            Map.of("type", "float", "Type", "Float", "DTYPE", "FLOAT32", "blas", "s", "round", "(float) "),
            Map.of("type", "double", "Type", "Double", "DTYPE", "FLOAT64", "blas", "d", "round", ""));

    private TwinGenerator() {}

    /** A template that cannot be expanded; the message names the template and line. */
    static final class TemplateException extends RuntimeException {
        TemplateException(String template, int line, String problem) {
            super(template + ":" + line + ": " + problem);
        }
    }

    private record Line(int number, String text) {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java TwinGenerator.java TEMPLATE_ROOT OUTPUT_ROOT");
            System.exit(2);
        }
        try {
            generate(Path.of(args[0]), Path.of(args[1]));
        } catch (TemplateException e) {
            System.err.println("twin templates: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Expands every template below {@code templateRoot} into {@code outputRoot}; see the class comment. */
    static void generate(Path templateRoot, Path outputRoot) throws IOException {
        Set<Path> written = new HashSet<>();
        if (Files.isDirectory(templateRoot)) {
            List<Path> templates;
            try (Stream<Path> walk = Files.walk(templateRoot)) {
                templates = walk.filter(p -> p.toString().endsWith(SUFFIX)).sorted().collect(Collectors.toList());
            }
            for (Path template : templates) {
                String relative = templateRoot.relativize(template).toString();
                Path target = outputRoot.resolve(relative.substring(0, relative.length() - ".template".length()));
                String header = "// Generated from " + relative + "\n// by build-tools/twins/TwinGenerator.java:"
                        + " edit the template, not this file.";
                List<String> lines = Files.readAllLines(template, StandardCharsets.UTF_8);
                String text = header + "\n" + String.join("\n", expand(relative, lines)) + "\n";
                writeIfChanged(target, text);
                written.add(target.toAbsolutePath().normalize());
            }
        }
        deleteStale(outputRoot, written);
    }

    /** The lines of one template with every twins region written out for both types. */
    static List<String> expand(String template, List<String> lines) {
        List<String> out = new ArrayList<>();
        List<Line> body = null;
        List<Line> between = null;
        int regionStart = 0;
        int ifStart = 0;
        Map<String, List<Line>> fragments = new LinkedHashMap<>();
        Map<String, Integer> fragmentLines = new LinkedHashMap<>();
        Set<String> inserted = new HashSet<>();
        List<Line> fragment = null;
        String fragmentName = null;
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String text = lines.get(i);
            String directive = directive(text);
            if (fragment != null) {
                if (directive == null) {
                    fragment.add(new Line(number, text));
                    continue;
                }
                if (!directive.equals("end")) {
                    throw new TemplateException(template, number, "a //#fragment holds no directive ('"
                            + text.trim() + "'); close it with //#end");
                }
                fragment = null;
                continue;
            }
            if (directive == null) {
                if (body == null) {
                    requireNoPlaceholder(template, number, text);
                    out.add(text);
                } else {
                    (between != null ? between : body).add(new Line(number, text));
                }
                continue;
            }
            String[] words = directive.split("\\s+");
            switch (words[0]) {
                case "fragment" -> {
                    if (body != null) {
                        throw new TemplateException(template, number, "//#fragment inside the //#twins region opened"
                                + " at line " + regionStart + "; define it outside and //#insert it there");
                    }
                    if (words.length != 2 || fragments.containsKey(words[1])) {
                        throw new TemplateException(template, number, "//#fragment takes one new name: '"
                                + text.trim() + "'" + (words.length == 2 ? " is defined at line "
                                + fragmentLines.get(words[1]) : ""));
                    }
                    fragment = new ArrayList<>();
                    fragmentName = words[1];
                    fragments.put(words[1], fragment);
                    fragmentLines.put(words[1], number);
                }
                case "insert" -> {
                    List<Line> fragmentText = words.length == 2 ? fragments.get(words[1]) : null;
                    if (fragmentText == null) {
                        throw new TemplateException(template, number, "//#insert of an unknown fragment: '"
                                + text.trim() + "'; defined above it: " + fragments.keySet());
                    }
                    inserted.add(words[1]);
                    for (Line line : fragmentText) {
                        if (body == null) {
                            requireNoPlaceholder(template, line.number(), line.text());
                            out.add(line.text());
                        } else {
                            (between != null ? between : body).add(line);
                        }
                    }
                }
                case "twins" -> {
                    if (body != null) {
                        throw new TemplateException(template, number, "//#twins inside the region opened at line "
                                + regionStart + "; close that one with //#end first");
                    }
                    body = new ArrayList<>();
                    regionStart = number;
                }
                case "if" -> {
                    if (body == null || between != null || ifStart != 0) {
                        throw new TemplateException(template, number, "//#if stands only directly inside a"
                                + " //#twins region (not in another //#if or after //#between)");
                    }
                    if (words.length != 2 || TYPES.stream().noneMatch(t -> t.get("type").equals(words[1]))) {
                        throw new TemplateException(template, number, "//#if takes one type, float or double: '"
                                + text.trim() + "'");
                    }
                    ifStart = number;
                    body.add(new Line(number, text));
                }
                case "else" -> {
                    if (ifStart == 0) {
                        throw new TemplateException(template, number, "//#else without an open //#if");
                    }
                    body.add(new Line(number, text));
                }
                case "between" -> {
                    if (body == null || ifStart != 0 || between != null) {
                        throw new TemplateException(template, number, "//#between stands once in a //#twins"
                                + " region, outside any //#if");
                    }
                    between = new ArrayList<>();
                }
                case "end" -> {
                    if (ifStart != 0) {
                        ifStart = 0;
                        body.add(new Line(number, text));
                    } else if (body != null) {
                        writeTwins(template, body, between, out);
                        body = null;
                        between = null;
                    } else {
                        throw new TemplateException(template, number, "//#end without an open //#twins or //#if");
                    }
                }
                default -> throw new TemplateException(template, number, "unknown directive '" + text.trim()
                        + "'; known: //#twins, //#if TYPE, //#else, //#between, //#end, //#fragment NAME,"
                        + " //#insert NAME");
            }
        }
        if (fragment != null) {
            throw new TemplateException(template, fragmentLines.get(fragmentName), "//#fragment " + fragmentName
                    + " is never closed; add //#end");
        }
        for (String name : fragments.keySet()) {
            if (!inserted.contains(name)) {
                throw new TemplateException(template, fragmentLines.get(name), "//#fragment " + name
                        + " is never inserted; add //#insert " + name + " where it belongs, or remove it");
            }
        }
        if (body != null) {
            throw new TemplateException(template, ifStart != 0 ? ifStart : regionStart,
                    (ifStart != 0 ? "//#if" : "//#twins") + " is never closed; add //#end");
        }
        return out;
    }

    private static void writeTwins(String template, List<Line> body, List<Line> between, List<String> out) {
        for (int t = 0; t < TYPES.size(); t++) {
            Map<String, String> type = TYPES.get(t);
            if (t > 0) {
                if (between == null) {
                    out.add("");
                } else {
                    for (Line line : between) {
                        requireNoPlaceholder(template, line.number(), line.text());
                        out.add(line.text());
                    }
                }
            }
            boolean keep = true;
            for (Line line : body) {
                String directive = directive(line.text());
                if (directive == null) {
                    if (keep) {
                        out.add(substitute(template, line, type));
                    }
                } else if (directive.startsWith("if")) {
                    keep = directive.split("\\s+")[1].equals(type.get("type"));
                } else if (directive.equals("else")) {
                    keep = !keep;
                } else {
                    keep = true;
                }
            }
        }
    }

    private static String substitute(String template, Line line, Map<String, String> type) {
        Matcher m = PLACEHOLDER.matcher(line.text());
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = type.get(m.group(1));
            if (value == null) {
                throw new TemplateException(template, line.number(), "unknown placeholder " + m.group()
                        + "; known: $type$, $Type$, $DTYPE$, $blas$, $round$");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static void requireNoPlaceholder(String template, int number, String text) {
        Matcher m = PLACEHOLDER.matcher(text);
        if (m.find()) {
            throw new TemplateException(template, number, "placeholder " + m.group()
                    + " outside a //#twins region (or in its //#between lines), where no type is chosen");
        }
    }

    /** The directive's words after {@code //#}, or null when the line is not a directive. */
    private static String directive(String text) {
        String trimmed = text.trim();
        return trimmed.startsWith("//#") ? trimmed.substring(3).trim() : null;
    }

    private static void writeIfChanged(Path target, String text) throws IOException {
        if (Files.exists(target) && Files.readString(target, StandardCharsets.UTF_8).equals(text)) {
            return;
        }
        Files.createDirectories(target.getParent());
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        Files.writeString(partial, text, StandardCharsets.UTF_8);
        Files.move(partial, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void deleteStale(Path outputRoot, Set<Path> written) throws IOException {
        if (!Files.isDirectory(outputRoot)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(outputRoot)) {
            for (Path p : walk.filter(Files::isRegularFile).collect(Collectors.toList())) {
                if (!written.contains(p.toAbsolutePath().normalize())) {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
    }
}
