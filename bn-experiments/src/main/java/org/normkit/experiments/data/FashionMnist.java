package org.normkit.experiments.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Loads Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017: 60 000 training and 10 000 test images of clothing, 28×28,
 * ten classes) from its four IDX files, as Debian's {@code dataset-fashion-mnist} package installs them in
 * {@value #DEFAULT_FOLDER}, or from any folder given with {@code --data}.
 *
 * <p>Each file is looked for gzip'd ({@code train-images-idx3-ubyte.gz}) and then plain
 * ({@code train-images-idx3-ubyte}). When no folder was given and the default folder holds none of the files, the
 * data set falls back to {@link SyntheticImages} and says so in {@link DatasetSplit#notice()}, so a run still works
 * on a fresh machine and no report can pass synthetic numbers off as real ones. Everything else is an error rather
 * than a silent fallback: a folder given explicitly that lacks a file, a default folder holding only some of the
 * files (a broken install), a file that {@link IdxReader} rejects, images that are not 28×28, image and label counts
 * that differ, or a label outside 0..9.
 */
public final class FashionMnist {

    /** Where {@code dataset-fashion-mnist} installs the files. */
    public static final String DEFAULT_FOLDER = "/usr/share/datasets/fashion-mnist";
    /** Image side in pixels. */
    public static final int SIDE = 28;
    /** Number of classes. */
    public static final int CLASSES = 10;

    private static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    private static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    private static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    private static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    private static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
    private static final String APT_REMEDY = "re-install with: sudo apt-get install --reinstall dataset-fashion-mnist";

    private FashionMnist() {}

    /**
     * The data in {@code dataDir} when given (an error if it is incomplete), else the data in
     * {@value #DEFAULT_FOLDER}, else the default synthetic set with a notice.
     */
    public static DatasetSplit load(Optional<Path> dataDir) {
        return load(dataDir, Path.of(DEFAULT_FOLDER));
    }

    /** {@link #load(Optional)} with another default folder, so tests can stand in for a machine without the data. */
    static DatasetSplit load(Optional<Path> dataDir, Path defaultDir) {
        if (dataDir.isPresent()) {
            return loadFrom(dataDir.get());
        }
        if (FILES.stream().allMatch(name -> find(defaultDir, name).isEmpty())) {
            return SyntheticImages.generateDefault().withNotice("Fashion-MNIST not found in " + defaultDir
                    + ": using a small synthetic 28×28 ten-class data set. Install the real data with: "
                    + "sudo apt-get install dataset-fashion-mnist");
        }
        return loadFrom(defaultDir);
    }

    /** The four files in {@code dir}; an error naming the folder and the missing files if any is absent. */
    public static DatasetSplit loadFrom(Path dir) {
        String remedy = dir.toAbsolutePath().normalize().equals(Path.of(DEFAULT_FOLDER)) ? APT_REMEDY
                : "replace it with a complete copy from https://github.com/zalandoresearch/fashion-mnist";
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("Fashion-MNIST folder " + dir + " does not exist or is not a folder; "
                    + "give the folder holding " + expectedNames() + " with --data DIR");
        }
        List<String> missing = new ArrayList<>();
        for (String name : FILES) {
            if (find(dir, name).isEmpty()) {
                missing.add(name + ".gz");
            }
        }
        if (!missing.isEmpty()) {
            throw new DatasetException("Fashion-MNIST folder " + dir + " lacks " + String.join(", ", missing)
                    + " (gzip'd or not): it must hold " + expectedNames() + "; "
                    + (remedy.equals(APT_REMEDY) ? APT_REMEDY : "copy the missing files there"));
        }
        IdxReader reader = IdxReader.withRemedy(remedy);
        // The training images are gathered every step, as floats (a block copy per image); the test images once an
        // epoch, from their bytes off the heap, so that no 31 MB float array waits in the young generation for the
        // first collection of epoch 1 to copy it (docs/training-throughput.md, tenth session). Same bits either way.
        Dataset train = read(reader, find(dir, TRAIN_IMAGES).get(), find(dir, TRAIN_LABELS).get(), "train", false);
        Dataset test = read(reader, find(dir, TEST_IMAGES).get(), find(dir, TEST_LABELS).get(), "test", true);
        return new DatasetSplit(train, test, false, "");
    }

    private static Dataset read(IdxReader reader, Path imageFile, Path labelFile, String part, boolean offHeap) {
        IdxImages images = reader.readImages(imageFile);
        if (images.height() != SIDE || images.width() != SIDE) {
            throw new DatasetException(imageFile + " holds " + images.height() + "×" + images.width()
                    + " images, but Fashion-MNIST's are " + SIDE + "×" + SIDE + "; is it the right file?");
        }
        int[] labels = reader.readLabels(labelFile);
        if (labels.length != images.count()) {
            throw new DatasetException(imageFile + " holds " + images.count() + " images but " + labelFile
                    + " holds " + labels.length + " labels; the two files must come from the same release");
        }
        for (int row = 0; row < labels.length; row++) {
            if (labels[row] >= CLASSES) {
                throw new DatasetException(labelFile + " has label " + labels[row] + " at row " + row
                        + ", but Fashion-MNIST's labels are 0.." + (CLASSES - 1) + "; is it the right file?");
            }
        }
        String origin = "Fashion-MNIST " + part + ", " + images.count() + " images from " + imageFile;
        return offHeap ? Dataset.fromIdxOffHeap(images, labels, CLASSES, origin)
                : Dataset.fromIdx(images, labels, CLASSES, origin);
    }

    private static Optional<Path> find(Path dir, String name) {
        for (Path candidate : List.of(dir.resolve(name + ".gz"), dir.resolve(name))) {
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String expectedNames() {
        return String.join(", ", FILES.stream().map(name -> name + ".gz").toList());
    }
}
