package org.normkit.experiments.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Plain text for character-level language modelling: a list of documents (one sequence each, so batches are padded
 * and masks matter), split into training and held-out documents, with its {@link CharVocabulary}.
 *
 * <p>Sources: a file, or a folder of files (hidden files and the {@code .dat}/{@code .u8} indexes of fortune
 * folders skipped). Documents are separated by lines holding only {@code %} (the format of {@code fortune}
 * files); a file without such lines is split at blank lines. Documents are stripped; empty ones dropped; one longer
 * than {@link #MAX_CHARS} is cut into pieces of at most that many characters at whitespace where possible (a piece
 * is one sequence). By default the fortunes of Debian's {@code fortunes} package ({@value #DEFAULT_FOLDER}); when
 * that folder is absent a small built-in synthetic corpus ({@link SyntheticText}), said in {@link #notice()}. The
 * held-out split is every tenth document after a shuffle with a fixed seed, so it never depends on the run's seed.
 *
 * @param train     documents the model learns from
 * @param test      held-out documents bits per character are measured on
 * @param origin    where the text came from, for reports
 * @param synthetic whether this is the built-in stand-in
 * @param notice    what to print first when the text is synthetic; empty otherwise
 */
public record TextCorpus(List<String> train, List<String> test, String origin, boolean synthetic, String notice) {
    /** Where Debian's {@code fortunes} package installs its files. */
    public static final String DEFAULT_FOLDER = "/usr/share/games/fortunes";
    /** The longest sequence, in characters, before a document is cut into pieces. */
    public static final int MAX_CHARS = 127;
    private static final long SPLIT_SEED = 13;

    public TextCorpus {
        if (train.isEmpty() || test.isEmpty()) {
            throw new DatasetException("the text from " + origin + " gives " + train.size() + " training and "
                    + test.size() + " held-out documents; give at least 10 documents separated by '%' lines or "
                    + "blank lines");
        }
        train = List.copyOf(train);
        test = List.copyOf(test);
    }

    /** The text of {@code source} when given (an error if unreadable), else the fortunes, else synthetic text. */
    public static TextCorpus load(Optional<Path> source) {
        return load(source, Path.of(DEFAULT_FOLDER));
    }

    static TextCorpus load(Optional<Path> source, Path defaultFolder) {
        if (source.isPresent()) {
            return read(source.get());
        }
        if (!Files.isDirectory(defaultFolder)) {
            return split(SyntheticText.generateDefault(), "built-in synthetic text", true,
                    "fortunes not found in " + defaultFolder + ": using a small built-in synthetic text corpus. "
                            + "Install real text with: sudo apt-get install fortunes, or pass --text FILE");
        }
        return read(defaultFolder);
    }

    private static TextCorpus read(Path source) {
        List<Path> files = new ArrayList<>();
        try {
            if (Files.isDirectory(source)) {
                try (Stream<Path> s = Files.list(source)) {
                    s.filter(Files::isRegularFile).filter(p -> isText(p.getFileName().toString())).sorted()
                            .forEach(files::add);
                }
            } else if (Files.isRegularFile(source)) {
                files.add(source);
            } else {
                throw new DatasetException("--text " + source + ": no such file or folder; give a plain-text file "
                        + "(documents separated by '%' lines or blank lines) or a folder of them");
            }
            List<String> documents = new ArrayList<>();
            for (Path f : files) {
                documents.addAll(documents(new String(Files.readAllBytes(f), StandardCharsets.UTF_8)));
            }
            return split(documents, source + " (" + files.size() + " files)", false, "");
        } catch (IOException e) {
            throw new DatasetException("--text " + source + ": cannot read it (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isText(String name) {
        return !name.startsWith(".") && !name.endsWith(".dat") && !name.endsWith(".u8");
    }

    /** The documents of one file's text, cut to {@link #MAX_CHARS}. */
    static List<String> documents(String text) {
        String normalized = text.replace("\r\n", "\n");
        String separator = normalized.lines().anyMatch(l -> l.equals("%")) ? "(?m)^%$" : "\\n\\s*\\n";
        List<String> out = new ArrayList<>();
        for (String doc : normalized.split(separator)) {
            String d = doc.strip();
            while (d.length() > MAX_CHARS) {
                int cut = d.lastIndexOf(' ', MAX_CHARS);
                cut = cut <= MAX_CHARS / 2 ? MAX_CHARS : cut;
                out.add(d.substring(0, cut).strip());
                d = d.substring(cut).strip();
            }
            if (!d.isEmpty()) {
                out.add(d);
            }
        }
        return out;
    }

    static TextCorpus split(List<String> documents, String origin, boolean synthetic, String notice) {
        List<String> shuffled = new ArrayList<>(documents);
        Collections.shuffle(shuffled, new Random(SPLIT_SEED));
        List<String> train = new ArrayList<>();
        List<String> test = new ArrayList<>();
        for (int i = 0; i < shuffled.size(); i++) {
            (i % 10 == 9 ? test : train).add(shuffled.get(i));
        }
        return new TextCorpus(train, test, origin, synthetic, notice);
    }

    /** The vocabulary of the training documents (held-out characters it lacks become {@link CharVocabulary#UNKNOWN}). */
    public CharVocabulary vocabulary() {
        return CharVocabulary.of(train);
    }

    /** The first {@code n} training documents (quick runs). */
    public TextCorpus limitTrain(int n) {
        return new TextCorpus(train.subList(0, Math.min(n, train.size())), test, origin, synthetic, notice);
    }

    public TextCorpus limitTest(int n) {
        return new TextCorpus(train, test.subList(0, Math.min(n, test.size())), origin, synthetic, notice);
    }

    /** Total characters of a list of documents. */
    public static long characters(List<String> documents) {
        return documents.stream().mapToLong(String::length).sum();
    }
}
