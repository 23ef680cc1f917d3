package org.normkit.experiments.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small built-in text corpus for machines without the {@code fortunes} package: sentences from a tiny grammar
 * (determiner, adjectives, noun, verb, object, an optional clause), 1 to 3 per document, so a character-level model
 * has spelling, word order and agreement to learn and documents of varied length to pad. {@link Random} with a fixed
 * seed: the same text on every JVM.
 */
public final class SyntheticText {
    /** Documents in the default corpus. */
    public static final int DEFAULT_DOCUMENTS = 2000;
    private static final long SEED = 20261202L;
    private static final String[] DETERMINERS = {"the", "a", "every", "no", "one"};
    private static final String[] ADJECTIVES = {"quick", "lazy", "old", "small", "bright", "quiet", "clever"};
    private static final String[] NOUNS = {"fox", "dog", "cat", "fish", "bird", "child", "robot", "river"};
    private static final String[] VERBS = {"sees", "likes", "follows", "finds", "hears", "draws", "avoids"};
    private static final String[] CLAUSES = {"because it is late", "when the sun sets", "and then it sleeps",
        "but nobody knows why", "as it always does"};

    private SyntheticText() {}

    public static List<String> generateDefault() {
        Random random = new Random(SEED);
        List<String> documents = new ArrayList<>();
        for (int d = 0; d < DEFAULT_DOCUMENTS; d++) {
            StringBuilder doc = new StringBuilder();
            int sentences = 1 + random.nextInt(3);
            for (int s = 0; s < sentences; s++) {
                String sentence = phrase(random) + " " + pick(random, VERBS) + " " + phrase(random)
                        + (random.nextInt(3) == 0 ? " " + pick(random, CLAUSES) : "") + ".";
                doc.append(s == 0 ? "" : " ").append(Character.toUpperCase(sentence.charAt(0)))
                        .append(sentence.substring(1));
            }
            documents.add(doc.toString());
        }
        return documents;
    }

    private static String phrase(Random random) {
        String adjective = random.nextBoolean() ? pick(random, ADJECTIVES) + " " : "";
        return pick(random, DETERMINERS) + " " + adjective + pick(random, NOUNS);
    }

    private static String pick(Random random, String[] words) {
        return words[random.nextInt(words.length)];
    }
}
