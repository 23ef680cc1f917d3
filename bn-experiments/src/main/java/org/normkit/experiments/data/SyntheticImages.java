package org.normkit.experiments.data;

import java.util.Random;

/**
 * A small, deterministic stand-in for Fashion-MNIST, for machines without the real data: 28×28 gray-scale images in
 * ten classes that a net can learn but not trivially.
 *
 * <p>Each class has a smooth prototype, a grating (orientation {@code 18°·k}, 1.5 to 2.5 cycles across the image)
 * under a Gaussian envelope whose centre and width depend on the class. Every sample redraws its class prototype
 * with a random shift of up to ±2.8 pixels, an orientation jitter of up to ±8° (neighbouring classes are 18°
 * apart, so they are sometimes confused), a random contrast in [0.55, 1], and Gaussian pixel noise of standard
 * deviation 0.2, then clips to [0, 1]. Classes are balanced: row {@code i} of a fresh set belongs to class
 * {@code i mod 10} before the rows are shuffled, so ten or more rows hold every class.
 *
 * <p>The prototypes are fixed; the seed chooses the samples. Train and test come from separate random streams, so
 * changing the size of one does not change the other. The same seed gives the same images on every JVM: the
 * generator is {@link Random}, whose algorithm its specification fixes, and the shapes use {@link StrictMath}.
 */
public final class SyntheticImages {

    /** Image side in pixels, the size of Fashion-MNIST. */
    public static final int SIDE = 28;
    /** Number of classes, as in Fashion-MNIST. */
    public static final int CLASSES = 10;
    /** Training rows of the default set. */
    public static final int DEFAULT_TRAIN_ROWS = 2000;
    /** Test rows of the default set. */
    public static final int DEFAULT_TEST_ROWS = 500;
    /** Seed of the default set: fixed, so every run that falls back to synthetic data sees the same images. */
    public static final long DEFAULT_SEED = 20240601L;

    private static final double MAX_SHIFT = 0.2;
    private static final double MAX_TILT = Math.toRadians(8);
    private static final double NOISE = 0.2;

    private SyntheticImages() {}

    /** The default set: {@value #DEFAULT_TRAIN_ROWS} train and {@value #DEFAULT_TEST_ROWS} test rows. */
    public static DatasetSplit generateDefault() {
        return generate(DEFAULT_TRAIN_ROWS, DEFAULT_TEST_ROWS, DEFAULT_SEED);
    }

    /** {@code trainRows} training and {@code testRows} test images, the same ones for the same seed. */
    public static DatasetSplit generate(int trainRows, int testRows, long seed) {
        if (trainRows < 1 || testRows < 1) {
            throw new IllegalArgumentException("a synthetic data set needs at least 1 train and 1 test row, got "
                    + trainRows + " and " + testRows);
        }
        String origin = "synthetic 28×28 ten-class images, seed " + seed;
        Dataset train = sample(trainRows, new Random(Seeds.derive(seed, 0)), origin + ", train");
        Dataset test = sample(testRows, new Random(Seeds.derive(seed, 1)), origin + ", test");
        return new DatasetSplit(train, test, true, "Using a small synthetic 28×28 ten-class data set ("
                + trainRows + " train, " + testRows + " test images, seed " + seed
                + "): results say little about real images.");
    }

    private static Dataset sample(int rows, Random random, String origin) {
        int[] labels = new int[rows];
        for (int row = 0; row < rows; row++) {
            labels[row] = row % CLASSES;
        }
        for (int row = rows - 1; row > 0; row--) {
            int other = random.nextInt(row + 1);
            int swap = labels[row];
            labels[row] = labels[other];
            labels[other] = swap;
        }
        int size = SIDE * SIDE;
        float[] images = new float[rows * size];
        for (int row = 0; row < rows; row++) {
            drawSample(labels[row], random, images, row * size);
        }
        return Dataset.adopt(images, labels, SIDE, SIDE, CLASSES, origin);
    }

    private static void drawSample(int label, Random random, float[] into, int offset) {
        double shiftU = (2 * random.nextDouble() - 1) * MAX_SHIFT;
        double shiftV = (2 * random.nextDouble() - 1) * MAX_SHIFT;
        double angle = Math.PI * label / CLASSES + (2 * random.nextDouble() - 1) * MAX_TILT;
        double contrast = 0.55 + 0.45 * random.nextDouble();
        double frequency = 1.5 + 0.5 * (label % 3);
        double sigma = 0.45 + 0.1 * (label % 2);
        double centreAngle = 2 * Math.PI * 3 * label / CLASSES;
        double centreU = 0.25 * StrictMath.cos(centreAngle) + shiftU;
        double centreV = 0.25 * StrictMath.sin(centreAngle) + shiftV;
        double dirU = StrictMath.cos(angle);
        double dirV = StrictMath.sin(angle);
        for (int y = 0; y < SIDE; y++) {
            double v = 2.0 * y / (SIDE - 1) - 1;
            for (int x = 0; x < SIDE; x++) {
                double u = 2.0 * x / (SIDE - 1) - 1;
                double du = u - centreU;
                double dv = v - centreV;
                double envelope = StrictMath.exp(-(du * du + dv * dv) / (2 * sigma * sigma));
                double grating = 0.5 + 0.5 * StrictMath.cos(2 * Math.PI * frequency * (du * dirU + dv * dirV));
                double value = contrast * envelope * grating + NOISE * random.nextGaussian();
                into[offset + y * SIDE + x] = (float) Math.min(1, Math.max(0, value));
            }
        }
    }
}
