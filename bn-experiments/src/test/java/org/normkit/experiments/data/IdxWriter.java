package org.normkit.experiments.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.normkit.autograd.io.AtomicFiles;

/**
 * Writes unsigned-byte IDX files, the format {@link IdxReader} reads: small fixtures for tests, or a data set
 * exported for another tool. A name ending in {@code .gz} is gzip-compressed, as the MNIST distributions are.
 * Files are written through {@link AtomicFiles}, so a reader never sees half a file.
 */
public final class IdxWriter {

    private IdxWriter() {}

    /**
     * Writes {@code split} into {@code dir} as Fashion-MNIST's four gzip'd files ({@code train-*} and {@code t10k-*}),
     * pixels in [0, 1] rounded to bytes: a folder {@code --data} takes, e.g. synthetic data for a test of a command.
     */
    public static Path writeFashionMnist(Path dir, DatasetSplit split) {
        writeDataset(dir, "train", split.train());
        writeDataset(dir, "t10k", split.test());
        return dir;
    }

    private static void writeDataset(Path dir, String prefix, Dataset data) {
        float[] images = data.images();
        byte[] pixels = new byte[images.length];
        for (int i = 0; i < images.length; i++) {
            pixels[i] = (byte) Math.round(images[i] * 255);
        }
        writeImages(dir.resolve(prefix + "-images-idx3-ubyte.gz"), data.rows(), data.height(), data.width(), pixels);
        writeLabels(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), data.labels());
    }

    /** Writes {@code count} images of {@code height × width} unsigned bytes ({@code 0x00000803}). */
    public static void writeImages(Path file, int count, int height, int width, byte[] pixels) {
        if (count < 1 || height < 1 || width < 1 || (long) count * height * width != pixels.length) {
            throw new IllegalArgumentException("cannot write " + file + ": " + count + "×" + height + "×" + width
                    + " images need that many pixel bytes, got " + pixels.length);
        }
        write(file, IdxReader.IMAGES_MAGIC, new int[] {count, height, width}, pixels);
    }

    /** Writes one unsigned-byte label per row ({@code 0x00000801}); each label must be in 0..255. */
    public static void writeLabels(Path file, int[] labels) {
        byte[] bytes = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 255) {
                throw new IllegalArgumentException("cannot write " + file + ": label " + labels[i] + " at row " + i
                        + " does not fit an unsigned byte (0..255)");
            }
            bytes[i] = (byte) labels[i];
        }
        write(file, IdxReader.LABELS_MAGIC, new int[] {labels.length}, bytes);
    }

    private static void write(Path file, int magic, int[] dims, byte[] data) {
        boolean gzip = file.getFileName().toString().endsWith(".gz");
        AtomicFiles.write(file, out -> {
            OutputStream target = gzip ? new GZIPOutputStream(out) : out;
            DataOutputStream idx = new DataOutputStream(target);
            idx.writeInt(magic);
            for (int dim : dims) {
                idx.writeInt(dim);
            }
            idx.write(data);
            idx.flush();
            finish(target);
        });
    }

    private static void finish(OutputStream target) throws IOException {
        if (target instanceof GZIPOutputStream gzip) {
            gzip.finish();
        }
    }
}
