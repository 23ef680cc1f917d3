package org.normkit.cli.readme;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

import org.normkit.experiments.report.MarkdownTable;

/**
 * The cost of a gradient penalty (loss + λ·‖∂loss/∂input‖², a step that differentiates a gradient) per training
 * step, normkit against PyTorch, with and without the penalty: the medians of
 * {@code docs/results/grad-penalty/results.json}, which {@code scripts/pytorch/grad_penalty.py} wrote from rounds
 * alternating the two sides in one session.
 */
final class GradPenaltyFigure implements ReadmeFigure {

    static final String FILE = "docs/results/grad-penalty/results.json";

    @Override
    public String key() {
        return "grad-penalty";
    }

    @Override
    public String render(Path repositoryRoot) {
        JsonNode doc = ResultFiles.json(repositoryRoot, FILE);
        String lambda = doc.path("lambda").asText();
        JsonNode median = doc.path("median");
        List<List<String>> table = new ArrayList<>();
        for (JsonNode norm : doc.path("norms")) {
            String name = norm.asText();
            double normkit = cell(median, "normkit " + name + " lambda=" + lambda);
            double pytorch = cell(median, "pytorch " + name + " lambda=" + lambda);
            double normkitPlain = cell(median, "normkit " + name + " lambda=0.0");
            double pytorchPlain = cell(median, "pytorch " + name + " lambda=0.0");
            table.add(List.of(name, ms(normkit), ms(pytorch), ratio(normkit / pytorch),
                    ratio(normkit / normkitPlain), ratio(pytorch / pytorchPlain)));
        }
        return new MarkdownTable(List.of("norm", "normkit ms/step", "PyTorch ms/step", "normkit ÷ PyTorch",
                "penalty's cost, normkit", "penalty's cost, PyTorch"), table).markdown()
                + "\nmlp, batch " + doc.path("batch").asInt() + ", λ = " + lambda + ", one thread; median of "
                + doc.path("rounds").size() + " alternated rounds (" + doc.path("machine").path("date").asText()
                + ", PyTorch " + doc.path("machine").path("torch").asText() + "). \"Penalty's cost\": a step with "
                + "the penalty ÷ a step without.\n";
    }

    private static double cell(JsonNode median, String name) {
        JsonNode value = median.get(name);
        if (value == null || !value.isNumber()) {
            throw new IllegalStateException(FILE + " has no median for '" + name + "': rerun "
                    + "scripts/pytorch/grad_penalty.py with --out " + FILE);
        }
        return value.asDouble();
    }

    private static String ms(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f×", value);
    }
}
