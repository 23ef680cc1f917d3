package org.normkit.experiments.data;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An immutable set of labelled gray-scale images: {@code rows} images of {@code height × width} pixels scaled to
 * [0, 1], stored row-major one image after the other, and one class label in {@code 0..numClasses-1} per image.
 *
 * <p>The pixel array itself is never handed out, only copies of it, because a caller who changed it would silently
 * change every later run that shares the data set; a training loop reads it through {@link #gatherImages} and
 * {@link #gatherLabels}, which build the {@code batch × pixelsPerImage} input of one mini-batch. {@link #of} copies
 * its arrays for the same reason.
 *
 * <p>A set read from IDX files is kept either as floats ({@link #fromIdx}: what a training set is, gathered every
 * step, where a copy of floats is the fastest gather) or as the file's bytes outside the Java heap
 * ({@link #fromIdxOffHeap}: what a test set is, read once an epoch in batches of a thousand), a quarter of the floats'
 * size, each pixel scaled when a batch is gathered by the same division ({@code (b & 0xFF) / 255f}, read from a table
 * of the 256 values), so the batches hold the same bits either way. Fashion-MNIST's test set then takes 8 MB of native
 * memory instead of a 31 MB float array that the first young collection of epoch 1 copied into the old generation
 * (docs/training-throughput.md, tenth session).
 *
 * <p>Thread safety: immutable, so any number of threads may read one instance.
 */
public final class Dataset {
    /** {@code SCALE[b] == b / 255f}: an IDX pixel byte's value in [0, 1]. */
    private static final float[] SCALE = new float[256];

    static {
        for (int b = 0; b < SCALE.length; b++) {
            SCALE[b] = b / 255f;
        }
    }

    /** The pixels scaled to [0, 1], or null when {@link #bytes} holds them. */
    private final float[] images;
    /**
     * The IDX file's unsigned pixel bytes, outside the heap, read with absolute gets only (so any number of threads
     * may read them), or null when {@link #images} holds the pixels.
     */
    private final ByteBuffer bytes;
    private final int[] labels;
    private final int height;
    private final int width;
    private final int numClasses;
    private final String origin;

    private Dataset(float[] images, int[] labels, int height, int width, int numClasses, String origin) {
        this(images, null, labels, height, width, numClasses, origin);
    }

    private Dataset(float[] images, ByteBuffer bytes, int[] labels, int height, int width, int numClasses,
                    String origin) {
        int pixels = images != null ? images.length : bytes.capacity();
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException(origin + ": images must be at least 1×1, got " + height + "×" + width);
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException(origin + ": numClasses must be at least 1, got " + numClasses);
        }
        if ((long) labels.length * height * width != pixels) {
            throw new IllegalArgumentException(origin + ": " + labels.length + " labels need " + labels.length
                    + "×" + height + "×" + width + " pixels, got " + pixels);
        }
        for (int row = 0; row < labels.length; row++) {
            if (labels[row] < 0 || labels[row] >= numClasses) {
                throw new IllegalArgumentException(origin + ": label " + labels[row] + " at row " + row
                        + " is outside 0.." + (numClasses - 1));
            }
        }
        this.images = images;
        this.bytes = bytes;
        this.labels = labels;
        this.height = height;
        this.width = width;
        this.numClasses = numClasses;
        this.origin = origin;
    }

    /**
     * A data set holding copies of {@code images} ({@code labels.length × height × width}, row-major, in [0, 1]) and
     * {@code labels}; {@code origin} says where the data came from, for reports.
     */
    public static Dataset of(float[] images, int[] labels, int height, int width, int numClasses, String origin) {
        return new Dataset(images.clone(), labels.clone(), height, width, numClasses, origin);
    }

    /** Takes ownership of freshly built arrays: the caller must keep no reference to them. */
    static Dataset adopt(float[] images, int[] labels, int height, int width, int numClasses, String origin) {
        return new Dataset(images, labels, height, width, numClasses, origin);
    }

    /** Scales unsigned-byte IDX pixels to [0, 1] by dividing by 255 and pairs them with their labels. */
    static Dataset fromIdx(IdxImages images, int[] labels, int numClasses, String origin) {
        byte[] pixels = images.pixels();
        float[] scaled = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            scaled[i] = SCALE[pixels[i] & 0xFF];
        }
        return new Dataset(scaled, labels, images.height(), images.width(), numClasses, origin);
    }

    /**
     * Pairs unsigned-byte IDX pixels with their labels, the bytes copied out of the heap; a pixel reads as its byte
     * divided by 255, as in {@link #fromIdx}. A gather costs more than {@link #fromIdx}'s (a table look-up per
     * pixel against a block copy), so this is for data read seldom, such as a test set.
     */
    static Dataset fromIdxOffHeap(IdxImages images, int[] labels, int numClasses, String origin) {
        byte[] pixels = images.pixels();
        ByteBuffer bytes = ByteBuffer.allocateDirect(pixels.length);
        bytes.put(0, pixels);
        return new Dataset(null, bytes, labels, images.height(), images.width(), numClasses, origin);
    }

    public int rows() {
        return labels.length;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** {@code height × width}: the length of one flattened image. */
    public int pixelsPerImage() {
        return height * width;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Where the data came from, e.g. the IDX file it was read from, in words for a report. */
    public String origin() {
        return origin;
    }

    public int label(int row) {
        return labels[checkRow(row)];
    }

    /** The pixel at {@code index} (row-major within the image) of image {@code row}. */
    public float pixel(int row, int index) {
        if (index < 0 || index >= pixelsPerImage()) {
            throw new IndexOutOfBoundsException("pixel " + index + " of a " + height + "×" + width + " image");
        }
        int at = checkRow(row) * pixelsPerImage() + index;
        return images != null ? images[at] : SCALE[bytes.get(at) & 0xFF];
    }

    /** The images of {@code rows}, in that order, as one {@code rows.length × pixelsPerImage} row-major array. */
    public float[] gatherImages(int[] rows) {
        int size = pixelsPerImage();
        float[] batch = new float[rows.length * size];
        byte[] row = images == null ? new byte[size] : null;
        for (int i = 0; i < rows.length; i++) {
            int from = checkRow(rows[i]) * size;
            if (images != null) {
                System.arraycopy(images, from, batch, i * size, size);
            } else {
                bytes.get(from, row);
                scale(row, batch, i * size);
            }
        }
        return batch;
    }

    /** {@code to[at + p] = from[p] / 255} for every byte of {@code from}, read as unsigned. */
    private static void scale(byte[] from, float[] to, int at) {
        for (int p = 0; p < from.length; p++) {
            to[at + p] = SCALE[from[p] & 0xFF];
        }
    }

    /** The labels of {@code rows}, in that order. */
    public int[] gatherLabels(int[] rows) {
        int[] batch = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            batch[i] = labels[checkRow(rows[i])];
        }
        return batch;
    }

    /**
     * A copy of all images as one {@code rows × pixelsPerImage} row-major array, e.g. to evaluate on the whole test
     * set at once. It copies every pixel (188 MB for Fashion-MNIST's training set), so a training loop should use
     * {@link #gatherImages} per batch instead.
     */
    public float[] images() {
        if (images != null) {
            return images.clone();
        }
        float[] all = new float[bytes.capacity()];
        byte[] row = new byte[pixelsPerImage()];
        for (int r = 0; r < rows(); r++) {
            bytes.get(r * row.length, row);
            scale(row, all, r * row.length);
        }
        return all;
    }

    /** A copy of all labels. */
    public int[] labels() {
        return labels.clone();
    }

    /** How many images each class has, indexed by class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /**
     * The first {@code count} rows, for a quick run on part of the data; the whole set when {@code count} is at
     * least {@link #rows()}.
     */
    public Dataset first(int count) {
        if (count < 1) {
            throw new IllegalArgumentException(origin + ": a subset needs at least 1 row, got " + count);
        }
        if (count >= rows()) {
            return this;
        }
        int pixels = count * pixelsPerImage();
        return new Dataset(images == null ? null : Arrays.copyOf(images, pixels),
                bytes == null ? null : bytes.slice(0, pixels), Arrays.copyOf(labels, count),
                height, width, numClasses, origin + ", first " + count + " rows");
    }

    private int checkRow(int row) {
        if (row < 0 || row >= labels.length) {
            throw new IndexOutOfBoundsException("row " + row + " of " + origin + ", which has " + labels.length
                    + " rows");
        }
        return row;
    }

    @Override
    public String toString() {
        return "Dataset[" + rows() + " × " + height + "×" + width + ", " + numClasses + " classes, " + origin + "]";
    }
}
