package org.normkit.cli.readme;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;

/** The one list of the README's figures, and their rendering. */
public final class ReadmeFigures {

    /** Every figure, in README order. */
    public static final List<ReadmeFigure> ALL = List.of(
            new EngineWallTimeFigure(),
            new ExperimentFigure(),
            new PytorchParityFigure(),
            SweepFigure.batchSize(),
            SweepFigure.init(),
            new KernelBenchFigure(),
            new TrainingStepFigure(),
            new TrainingEpochsFigure(),
            new PerformanceTargetsFigure(),
            new GradPenaltyFigure(),
            new SequenceFigure(),
            new SequenceParityFigure(),
            new SequenceParityPairedFigure(),
            new SequenceParityFloat64Figure(),
            new SequenceEpochTimeFigure());

    private ReadmeFigures() {}

    /** Each figure's block content by key, rendered from the result files under {@code repositoryRoot}. */
    public static Map<String, String> render(List<ReadmeFigure> figures, Path repositoryRoot) {
        Map<String, String> rendered = new LinkedHashMap<>();
        for (ReadmeFigure figure : figures) {
            if (rendered.put(figure.key(), figure.render(repositoryRoot)) != null) {
                throw new IllegalStateException("two README figures share the key " + figure.key());
            }
        }
        return rendered;
    }
}
