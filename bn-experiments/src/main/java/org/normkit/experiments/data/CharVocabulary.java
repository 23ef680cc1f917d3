package org.normkit.experiments.data;

import java.util.Arrays;
import java.util.Collection;
import java.util.TreeSet;

/**
 * The characters of a corpus as token ids: 0 is padding, 1 begins a sequence, 2 ends it, 3 stands for a character
 * the training text never showed, and the training text's characters follow in code-point order (so the same text
 * always gives the same ids). A language model reads {@code BEGIN c₀ … cₙ₋₁} and predicts {@code c₀ … cₙ₋₁ END}.
 */
public final class CharVocabulary {
    public static final int PAD = 0;
    public static final int BEGIN = 1;
    public static final int END = 2;
    public static final int UNKNOWN = 3;
    private static final int SPECIAL = 4;

    private final int[] codePoints;

    private CharVocabulary(int[] codePoints) {
        this.codePoints = codePoints;
    }

    /** Every code point of {@code texts}, sorted. */
    public static CharVocabulary of(Collection<String> texts) {
        TreeSet<Integer> seen = new TreeSet<>();
        for (String t : texts) {
            t.codePoints().forEach(seen::add);
        }
        return new CharVocabulary(seen.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Number of token ids, the special ones included. */
    public int size() {
        return SPECIAL + codePoints.length;
    }

    public int id(int codePoint) {
        int i = Arrays.binarySearch(codePoints, codePoint);
        return i < 0 ? UNKNOWN : SPECIAL + i;
    }

    /** The ids of {@code text}'s code points. */
    public int[] encode(String text) {
        return text.codePoints().map(this::id).toArray();
    }
}
