package org.normkit.experiments.data;

/**
 * The training and test halves of one data set, and what a report must say about where they came from.
 *
 * @param train     the rows the net learns from
 * @param test      the held-out rows accuracy is measured on
 * @param synthetic true when the data is {@link SyntheticImages}, not the real data set: every report must say so
 *                  first, since numbers on synthetic data say little about real images
 * @param notice    a sentence to print loudly before a run and at the top of a report (why the data is synthetic and
 *                  how to get the real data); empty when there is nothing to warn about
 */
public record DatasetSplit(Dataset train, Dataset test, boolean synthetic, String notice) {

    public DatasetSplit {
        if (train.height() != test.height() || train.width() != test.width()
                || train.numClasses() != test.numClasses()) {
            throw new IllegalArgumentException("train (" + train + ") and test (" + test
                    + ") must have the same image size and number of classes");
        }
        if (notice == null) {
            throw new IllegalArgumentException("notice must not be null; use \"\" when there is nothing to say");
        }
    }

    /** The same data with another notice. */
    public DatasetSplit withNotice(String newNotice) {
        return new DatasetSplit(train, test, synthetic, newNotice);
    }
}
