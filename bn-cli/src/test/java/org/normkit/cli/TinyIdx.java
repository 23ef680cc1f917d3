package org.normkit.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.normkit.experiments.data.Dataset;
import org.normkit.experiments.data.DatasetSplit;
import org.normkit.experiments.data.IdxWriter;
import org.normkit.experiments.data.SyntheticImages;

/** A tiny Fashion-MNIST stand-in written as the four gzip'd IDX files, and a way to run the command line. */
final class TinyIdx {
    static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";

    private TinyIdx() {}

    /** Writes {@code train} and {@code test} synthetic 28×28 images into {@code dir} as Fashion-MNIST's files. */
    static Path write(Path dir, int train, int test) {
        DatasetSplit split = SyntheticImages.generate(train, test, 1);
        write(dir, "train", split.train());
        write(dir, "t10k", split.test());
        return dir;
    }

    private static void write(Path dir, String prefix, Dataset data) {
        float[] images = data.images();
        byte[] pixels = new byte[images.length];
        for (int i = 0; i < images.length; i++) {
            pixels[i] = (byte) Math.round(images[i] * 255);
        }
        IdxWriter.writeImages(dir.resolve(prefix + "-images-idx3-ubyte.gz"), data.rows(), data.height(), data.width(),
                pixels);
        IdxWriter.writeLabels(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), data.labels());
    }

    /** Exit code, stdout and stderr of one command line run in this JVM. */
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Normkit.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
