package org.normkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerLookupTest {
    @TempDir
    Path dir;

    @Test
    void theScriptIsFoundByWalkingUpFromAStartPoint() throws IOException {
        Path script = dir.resolve(PeerLookup.SCRIPT);
        Files.createDirectories(script.getParent());
        Files.writeString(script, "# peer\n");
        Path deep = Files.createDirectories(dir.resolve("bn-cli/target"));
        assertEquals(Optional.of(script), PeerLookup.locate(List.of(Files.createDirectories(dir.resolve("elsewhere"))
                .resolve("nothing-here"), deep)));
    }

    @Test
    void noScriptAboveTheStartPointsIsEmpty() throws IOException {
        assertEquals(Optional.empty(), PeerLookup.locate(List.of(Files.createDirectories(dir.resolve("a/b")))));
    }

    @Test
    void anInterpreterThatIsNotThereIsPassedOver() {
        assertTrue(PeerLookup.interpreterWithTorch(List.of(dir.resolve("no-python").toString())).isEmpty());
    }
}
