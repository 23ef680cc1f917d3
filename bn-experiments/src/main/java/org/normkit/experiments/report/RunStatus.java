package org.normkit.experiments.report;

/** How an epoch of a training run ended, as the {@code status} column of {@code results.csv} spells it. */
public enum RunStatus {
    /** The epoch finished with finite losses; its metrics are real. */
    OK("ok"),
    /** The loss became non-finite (or the loop's divergence rule fired): the run stopped at this epoch. */
    DIVERGED("diverged");

    private final String csv;

    RunStatus(String csv) {
        this.csv = csv;
    }

    /** The spelling in the CSV file. */
    public String csv() {
        return csv;
    }

    /** The status spelled {@code text}; any other spelling is an error naming the valid ones. */
    public static RunStatus fromCsv(String text) {
        for (RunStatus status : values()) {
            if (status.csv.equals(text)) {
                return status;
            }
        }
        throw new IllegalArgumentException("status '" + text + "' is neither 'ok' nor 'diverged'");
    }
}
