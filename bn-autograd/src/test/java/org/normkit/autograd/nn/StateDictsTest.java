package org.normkit.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

class StateDictsTest {
    @TempDir
    Path dir;

    private static Sequential net(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return new Sequential(new Conv2d(1, 2, 3, r), new Flatten(), new Linear(8, 3, true, DType.FLOAT64, r));
    }

    @Test
    void aSavedNetLoadsIntoAFreshOneWithEqualValues() {
        Sequential saved = net(1);
        Path file = dir.resolve("ckpt/net.nkstate");
        StateDicts.save(saved, file);
        Sequential loaded = net(2);
        assertFalse(Arrays.equals(saved.stateDict().get("0.weight").toFloatArray(),
                loaded.stateDict().get("0.weight").toFloatArray()));
        StateDicts.load(loaded, file);
        saved.stateDict().forEach((name, t) -> {
            assertEquals(t.dtype(), loaded.stateDict().get(name).dtype(), name);
            assertArrayEquals(t.toDoubleArray(), loaded.stateDict().get(name).toDoubleArray(), name);
        });
    }

    @Test
    void theFileIsTheDocumentedLittleEndianLayout() throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("w", Tensor.of(new float[] {1.5f, -2f}, 2));
        Path file = dir.resolve("one.nkstate");
        StateDicts.write(state, file);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        b.get(magic);
        assertEquals("NKSTATE1", new String(magic, StandardCharsets.US_ASCII));
        assertEquals(1, b.getInt());
        assertEquals(1, b.getInt());
        assertEquals('w', b.get());
        assertEquals(0, b.get());
        assertEquals(1, b.getInt());
        assertEquals(2, b.getInt());
        assertEquals(1.5f, b.getFloat());
        assertEquals(-2f, b.getFloat());
        assertFalse(b.hasRemaining());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left beside the checkpoint");
        }
    }

    @Test
    void aShapeMismatchNamesTheEntryAndBothShapes() {
        Path file = dir.resolve("net.nkstate");
        StateDicts.save(net(1), file);
        SplittableRandom r = new SplittableRandom(0);
        Sequential other = new Sequential(new Conv2d(1, 4, 3, r), new Flatten(), new Linear(8, 3, r));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDicts.load(other, file));
        assertTrue(e.getMessage().contains("entry '0.weight' has shape (2, 1, 3, 3) but this Sequential needs "
                + "(4, 1, 3, 3)"), e.getMessage());
        assertTrue(e.getMessage().startsWith("StateDicts.load(" + file + ")"), e.getMessage());
    }

    @Test
    void missingAndUnexpectedEntriesAreNamed() {
        Path file = dir.resolve("linear.nkstate");
        StateDicts.save(new Linear(8, 3, 1), file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDicts.load(net(1), file));
        assertTrue(e.getMessage().contains("missing entry '0.weight' of shape (2, 1, 3, 3)"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected entry 'weight'"), e.getMessage());
    }

    @Test
    void aTruncatedFileNamesTheEntryItBreaksIn() throws IOException {
        Path file = dir.resolve("net.nkstate");
        StateDicts.save(net(1), file);
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length - 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDicts.read(file));
        assertTrue(e.getMessage().contains("ends or breaks inside '2.bias'"), e.getMessage());
    }

    @Test
    void aFileThatIsNoCheckpointIsRecognised() throws IOException {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "hello, world");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDicts.read(file));
        assertTrue(e.getMessage().contains("is not a normkit checkpoint"), e.getMessage());
    }

    @Test
    void float64ValuesSurviveExactly() {
        Map<String, Tensor> state = Map.of("x", Tensor.randn(DType.FLOAT64, Shape.of(3, 2), 5));
        Path file = dir.resolve("x.nkstate");
        StateDicts.write(state, file);
        assertArrayEquals(state.get("x").toDoubleArray(), StateDicts.read(file).get("x").toDoubleArray());
    }
}
