package org.normkit.experiments.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a report needs to know besides the rows of {@code results.csv}.
 *
 * @param title          the report's heading
 * @param configuration  the settings of the experiment in the order to show them (pass a {@code LinkedHashMap}),
 *                       e.g. "data" → the data set's origin, "epochs" → "10", "norms" → "none,batch_norm";
 *                       shown as a table
 * @param dataNotice     the data set's notice ({@code DatasetSplit.notice()}), empty when there is none
 * @param syntheticData  true when the data is synthetic: the notice then becomes the report's first line
 * @param targetAccuracy the test accuracy whose epochs-to-reach the report counts; when absent, the baseline's
 *                       final mean accuracy (or, without a baseline, 0.95 × the best final mean), and the report
 *                       says which
 * @param baselineNorm   the norm every other norm is compared against, normally {@code none}
 */
public record ReportContext(String title, Map<String, String> configuration, String dataNotice, boolean syntheticData,
                            OptionalDouble targetAccuracy, String baselineNorm) {

    /** The norm name of training without normalization. */
    public static final String NO_NORM = "none";

    public ReportContext {
        configuration = Collections.unmodifiableMap(new LinkedHashMap<>(configuration));
        if (syntheticData && dataNotice.isBlank()) {
            throw new IllegalArgumentException("a report on synthetic data needs the data set's notice saying so");
        }
        if (targetAccuracy.isPresent() && !(targetAccuracy.getAsDouble() > 0 && targetAccuracy.getAsDouble() <= 1)) {
            throw new IllegalArgumentException("the target accuracy must be in (0, 1], got "
                    + targetAccuracy.getAsDouble());
        }
    }

    /** A context with the default title, no explicit target, and {@code none} as the baseline. */
    public static ReportContext of(Map<String, String> configuration, String dataNotice, boolean syntheticData) {
        return new ReportContext("normkit experiment", configuration, dataNotice, syntheticData, OptionalDouble.empty(),
                NO_NORM);
    }

    public ReportContext withTitle(String newTitle) {
        return new ReportContext(newTitle, configuration, dataNotice, syntheticData, targetAccuracy, baselineNorm);
    }

    public ReportContext withTargetAccuracy(double target) {
        return new ReportContext(title, configuration, dataNotice, syntheticData, OptionalDouble.of(target),
                baselineNorm);
    }
}
