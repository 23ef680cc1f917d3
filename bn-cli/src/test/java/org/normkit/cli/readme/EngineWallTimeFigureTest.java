package org.normkit.cli.readme;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineWallTimeFigureTest {

    @TempDir
    Path root;

    private void write(String content) throws IOException {
        Path file = root.resolve(EngineWallTimeFigure.FILE);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    @Test
    void speedUpIsTheFirstEnginesWallTimeOverEachEngines() throws IOException {
        write("# 2026-12-02 on 2 cores; arguments: sweep\n"
                + "engine,runs,wall_seconds,training_seconds_summed\n"
                + "local-1,24,240.0,230.0\n"
                + "local-2,24,120.0,250.0\n");

        String block = new EngineWallTimeFigure().render(root);

        assertTrue(block.contains("| local-1 | 24 | 240.0 | 230.0 | 1.00× |"), block);
        assertTrue(block.contains("| local-2 | 24 | 120.0 | 250.0 | 2.00× |"), block);
        assertTrue(block.endsWith("\n2026-12-02 on 2 cores; arguments: sweep.\n"), block);
    }

    @Test
    void aFileWithoutItsCommentAndHeaderIsRefusedNamingTheScript() throws IOException {
        write("local-1,24,240.0,230.0\n");

        String message = assertThrows(IllegalStateException.class,
                () -> new EngineWallTimeFigure().render(root)).getMessage();
        assertTrue(message.contains(EngineWallTimeFigure.FILE) && message.contains("scripts/engine-wall-time.sh"),
                message);
    }

    @Test
    void aLineWithoutANumberIsRefusedNamingTheLine() throws IOException {
        write("# when\nengine,runs,wall_seconds,training_seconds_summed\nlocal-1,24,n/a,230.0\n");

        String message = assertThrows(IllegalStateException.class,
                () -> new EngineWallTimeFigure().render(root)).getMessage();
        assertTrue(message.contains("local-1,24,n/a,230.0"), message);
    }
}
