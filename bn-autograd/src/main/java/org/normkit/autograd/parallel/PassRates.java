package org.normkit.autograd.parallel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * One-thread nanoseconds per element of the kernels' passes: what the split policy ({@link
 * KernelThreads#sharingPays}) weighs against the hand-off, for every parallel loop. The norm kernels of bn-core read
 * their rates here (keys {@code <pass>.<layout>.<dtype>}, e.g. {@code backward.rows.float32}); the loops of this
 * module read the rate of an element-pass, a read or a write of one element ({@code element-pass.<dtype>}: half the
 * one-thread copy's time per element), and count their work in element-passes ({@code loops.LoopCost}; only its
 * matrix products' rate per multiply-add is its own, since no benchmark row times a product alone).
 *
 * <p>The rates are not typed in here: they are read from {@value #FILE}, which {@code ./normkit readme --write}
 * renders from the committed benchmark run ({@code docs/results/bench/versus.json}, its one-thread rows of the
 * in-cache shapes and normkit's one-thread copies of them), and a bn-cli test fails when the file and the run
 * disagree. So re-measuring the kernels re-derives the estimates, and the split policy has one source of truth, the
 * benchmark.
 *
 * <p>Thread safety: the file is read once; the rates never change afterwards.
 */
public final class PassRates {
    /** The resource, beside this class. */
    public static final String FILE = "pass-rates.properties";

    private PassRates() {}

    /** The rate of {@code key}, nanoseconds per element; an error naming the key and the way out when absent. */
    public static double nanosPerElement(String key) {
        String value = Table.RATES.getProperty(key);
        if (value == null) {
            throw new IllegalStateException(FILE + " has no rate " + key + ": regenerate it with ./normkit readme "
                    + "--write");
        }
        try {
            double perElement = Double.parseDouble(value.trim());
            if (perElement > 0 && Double.isFinite(perElement)) {
                return perElement;
            }
        } catch (NumberFormatException e) {
            // Reported below with the key.
        }
        throw new IllegalStateException(FILE + ": " + key + " = " + value + " is not a positive number of "
                + "nanoseconds: regenerate it with ./normkit readme --write");
    }

    /** The file, read on first use. */
    private static final class Table {
        static final Properties RATES = load();

        private static Properties load() {
            Properties table = new Properties();
            try (InputStream in = PassRates.class.getResourceAsStream(FILE)) {
                if (in == null) {
                    throw new IllegalStateException(FILE + " is missing beside " + PassRates.class.getName()
                            + ": regenerate it with ./normkit readme --write");
                }
                table.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + FILE, e);
            }
            return table;
        }
    }
}
