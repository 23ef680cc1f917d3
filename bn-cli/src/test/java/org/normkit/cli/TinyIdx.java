package org.normkit.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.normkit.experiments.data.IdxWriter;
import org.normkit.experiments.data.SyntheticImages;

/** A tiny Fashion-MNIST stand-in written as the four gzip'd IDX files, and a way to run the command line. */
final class TinyIdx {
    static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";

    private TinyIdx() {}

    /** Writes {@code train} and {@code test} synthetic 28×28 images into {@code dir} as Fashion-MNIST's files. */
    static Path write(Path dir, int train, int test) {
        return IdxWriter.writeFashionMnist(dir, SyntheticImages.generate(train, test, 1));
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
