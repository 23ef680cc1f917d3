package org.normkit.experiments.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {
    @TempDir
    Path dir;

    @Nested
    class Documents {
        @Test
        void fortuneFilesSplitAtPercentLines() {
            assertEquals(List.of("one\nline two", "three"), TextCorpus.documents("one\nline two\n%\nthree\n%\n"));
        }

        @Test
        void otherTextSplitsAtBlankLines() {
            assertEquals(List.of("first para\ngoes on", "second"), TextCorpus.documents("first para\ngoes on\n\n  \nsecond\n"));
        }

        @Test
        void aLongDocumentIsCutAtSpacesIntoSequencesOfAtMostTheLimit() {
            String longText = "word ".repeat(100).strip();
            List<String> pieces = TextCorpus.documents(longText);
            assertTrue(pieces.size() > 1);
            assertTrue(pieces.stream().allMatch(p -> p.length() <= TextCorpus.MAX_CHARS && !p.startsWith(" ")),
                    pieces.toString());
            assertEquals(longText.replace(" ", ""), String.join("", pieces).replace(" ", ""));
        }
    }

    @Nested
    class Loading {
        @Test
        void everyTenthDocumentIsHeldOutTheSameWayEveryTime() throws IOException {
            Path file = dir.resolve("text");
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                s.append("document ").append(i).append("\n%\n");
            }
            Files.writeString(file, s);
            TextCorpus a = TextCorpus.load(Optional.of(file));
            assertEquals(45, a.train().size());
            assertEquals(5, a.test().size());
            assertEquals(a.test(), TextCorpus.load(Optional.of(file)).test());
            assertTrue(a.train().stream().noneMatch(a.test()::contains));
            assertTrue(!a.synthetic() && a.notice().isEmpty());
        }

        @Test
        void aFolderSkipsTheFortuneIndexes() throws IOException {
            Files.writeString(dir.resolve("jokes"), "a\n%\nb\n%\nc\n%\nd\n%\ne\n%\nf\n%\ng\n%\nh\n%\ni\n%\nj\n%\n");
            Files.write(dir.resolve("jokes.dat"), new byte[] {0, 1, 2});
            Files.writeString(dir.resolve("jokes.u8"), "not text\n%\nat all\n");
            TextCorpus corpus = TextCorpus.load(Optional.of(dir));
            assertEquals(10, corpus.train().size() + corpus.test().size());
        }

        @Test
        void withoutTheFortunesTheSyntheticCorpusIsUsedAndSaidSo() {
            TextCorpus corpus = TextCorpus.load(Optional.empty(), dir.resolve("absent"));
            assertTrue(corpus.synthetic());
            assertTrue(corpus.notice().startsWith("fortunes not found in"), corpus.notice());
            assertEquals(SyntheticText.DEFAULT_DOCUMENTS, corpus.train().size() + corpus.test().size());
        }

        @Test
        void aMissingTextFileNamesItself() {
            DatasetException e = assertThrows(DatasetException.class,
                    () -> TextCorpus.load(Optional.of(dir.resolve("nope.txt"))));
            assertTrue(e.getMessage().startsWith("--text " + dir.resolve("nope.txt") + ": no such file"), e.getMessage());
        }

        @Test
        void tooFewDocumentsForAHeldOutSplitIsAnError() throws IOException {
            Path file = dir.resolve("short");
            Files.writeString(file, "only\n%\ntwo\n");
            DatasetException e = assertThrows(DatasetException.class, () -> TextCorpus.load(Optional.of(file)));
            assertTrue(e.getMessage().contains("0 held-out documents"), e.getMessage());
        }
    }

    @Nested
    class Tokens {
        @Test
        void charactersGetIdsAfterTheSpecialOnesAndUnseenOnesAreUnknown() {
            CharVocabulary v = CharVocabulary.of(List.of("ba"));
            assertEquals(6, v.size());
            assertArrayEquals(new int[] {5, 4, CharVocabulary.UNKNOWN}, v.encode("baz"));
        }

        @Test
        void aBatchReadsBeginThenTextAndPredictsTextThenEndPaddedToTheLongest() {
            TokenBatch b = TokenBatch.of(List.of(new int[] {7, 8}, new int[] {9}));
            assertEquals(3, b.steps());
            assertArrayEquals(new int[] {1, 7, 8, 1, 9, 0}, b.inputs());
            assertArrayEquals(new int[] {7, 8, 2, 9, 2, 0}, b.targets());
            assertArrayEquals(new int[] {3, 2}, b.lengths());
            assertEquals(5, b.validPositions());
        }
    }
}
