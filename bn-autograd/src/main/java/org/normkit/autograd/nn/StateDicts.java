package org.normkit.autograd.nn;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.normkit.autograd.io.AtomicFiles;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * Saves and loads a module's state dict (parameters and buffers by dotted name) as a checkpoint file, written
 * atomically ({@link AtomicFiles}), so an interrupted save leaves the previous checkpoint intact.
 *
 * <p>The format, {@code normkit-state/1}, is little-endian binary, readable with a few lines of NumPy:
 * <pre>
 *   magic    8 bytes   ASCII "NKSTATE1"
 *   count    int32     number of entries, then for each entry in state-dict order:
 *     name   int32 byte length, then UTF-8 bytes        e.g. "0.weight"
 *     dtype  uint8     0 = float32, 1 = float64
 *     rank   int32, then rank × int32 sizes            row-major shape
 *     data   numel × (float32 | float64)                row-major values
 * </pre>
 * Loading reads every entry, then {@link Module#loadStateDict} checks names and shapes against the module (a
 * missing, unexpected or misshapen entry is named with both shapes, and nothing is copied); values convert to the
 * module's dtype.
 */
public final class StateDicts {
    private static final byte[] MAGIC = "NKSTATE1".getBytes(StandardCharsets.US_ASCII);

    private StateDicts() {}

    /** Writes {@code module.stateDict()} to {@code file}. */
    public static void save(Module module, Path file) {
        write(module.stateDict(), file);
    }

    /** Reads {@code file} and copies its values into {@code module}. */
    public static void load(Module module, Path file) {
        Map<String, Tensor> state = read(file);
        try {
            module.loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("StateDicts.load(" + file + "): " + e.getMessage(), e);
        }
    }

    /** Writes any name → tensor map in the checkpoint format. */
    public static void write(Map<String, Tensor> state, Path file) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(MAGIC);
        bytes.writeBytes(ints(state.size()));
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor t = e.getValue();
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            bytes.writeBytes(ints(name.length));
            bytes.writeBytes(name);
            bytes.write(t.dtype() == DType.FLOAT32 ? 0 : 1);
            bytes.writeBytes(ints(t.rank()));
            bytes.writeBytes(ints(t.shape().dims()));
            ByteBuffer data = ByteBuffer.allocate(t.numel() * t.dtype().bytesPerElement()).order(ByteOrder.LITTLE_ENDIAN);
            if (t.dtype() == DType.FLOAT32) {
                data.asFloatBuffer().put(t.floatData());
            } else {
                data.asDoubleBuffer().put(t.doubleData());
            }
            bytes.writeBytes(data.array());
        }
        AtomicFiles.writeBytes(file, bytes.toByteArray());
    }

    /** Reads a checkpoint into a name → tensor map, in file order. */
    public static Map<String, Tensor> read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("StateDicts.read: no checkpoint at " + file.toAbsolutePath(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("StateDicts.read: cannot read " + file + ": " + e.getMessage(), e);
        }
        ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new IllegalArgumentException("StateDicts.read: " + file + " is not a normkit checkpoint (it does not "
                    + "start with \"NKSTATE1\"); write checkpoints with StateDicts.save");
        }
        in.position(MAGIC.length);
        Map<String, Tensor> state = new LinkedHashMap<>();
        String current = "the header";
        try {
            int count = in.getInt();
            for (int k = 0; k < count; k++) {
                current = "entry " + k;
                byte[] name = new byte[checkedSize(in.getInt(), "name length", current, file)];
                in.get(name);
                current = "'" + new String(name, StandardCharsets.UTF_8) + "'";
                int code = in.get();
                if (code != 0 && code != 1) {
                    throw new IllegalArgumentException("StateDicts.read: " + file + ": " + current + " has dtype code "
                            + code + "; expected 0 (float32) or 1 (float64)");
                }
                DType dtype = code == 0 ? DType.FLOAT32 : DType.FLOAT64;
                int[] dims = new int[checkedSize(in.getInt(), "rank", current, file)];
                for (int d = 0; d < dims.length; d++) {
                    dims[d] = in.getInt();
                }
                Shape shape = Shape.of(dims);
                if ((long) shape.numel() * dtype.bytesPerElement() > in.remaining()) {
                    throw new BufferUnderflowException();
                }
                Tensor t = Tensor.zeros(dtype, shape);
                if (dtype == DType.FLOAT32) {
                    in.asFloatBuffer().get(t.floatData());
                } else {
                    in.asDoubleBuffer().get(t.doubleData());
                }
                in.position(in.position() + shape.numel() * dtype.bytesPerElement());
                state.put(new String(name, StandardCharsets.UTF_8), t);
            }
        } catch (BufferUnderflowException | ShapeException e) {
            throw new IllegalArgumentException("StateDicts.read: " + file + " ends or breaks inside " + current
                    + " (" + all.length + " bytes): the file is truncated or not a normkit checkpoint", e);
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("StateDicts.read: " + file + " has " + in.remaining()
                    + " bytes after its last entry; the file is corrupt");
        }
        return state;
    }

    private static int checkedSize(int value, String what, String entry, Path file) {
        if (value < 0 || value > 1 << 20) {
            throw new IllegalArgumentException("StateDicts.read: " + file + ": " + entry + " has " + what + " "
                    + value + ", which no checkpoint holds; the file is corrupt");
        }
        return value;
    }

    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }
}
