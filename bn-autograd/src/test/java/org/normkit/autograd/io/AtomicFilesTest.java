package org.normkit.autograd.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A text written atomically: its folders made, its UTF-8 bytes in place of the old file, no temporary file left. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aTextReplacesTheFileInFoldersMadeForItAndLeavesNothingElse() throws IOException {
        Path target = dir.resolve("a/b/report.md");

        AtomicFiles.writeString(target, "first");
        AtomicFiles.writeString(target, "σ² ≥ 0\n");

        assertEquals("σ² ≥ 0\n", Files.readString(target));
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertEquals(List.of(target), files.toList());
        }
    }
}
