package org.example.writing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.normkit.autograd.check.FaceAgreement;
import org.normkit.autograd.check.GradCheck;
import org.normkit.autograd.check.NormGradCheck;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;

/**
 * docs/writing-a-norm.md cannot go stale: every code block after a {@code <!-- snippet: FILE -->} line is that file of
 * this folder (or, for {@code FILE#NAME}, the lines between {@code // [NAME]} and {@code // [/NAME]} in it, unindented),
 * and the two norms it walks through pass what the tools check: registration from a service line, gradcheck and
 * agreement of the faces in both modes and dtypes on their contracts' example shapes.
 */
class WritingANormTest {
    private static final Path HERE = Path.of("src/test/java/org/example/writing");
    private static final Path DOC = Path.of("..", "docs", "writing-a-norm.md");
    private static final Pattern MARKER = Pattern.compile("^<!-- snippet: ([\\w.]+)(?:#(\\w+))? -->$");

    @Nested
    class TheDocument {
        @Test
        void everySnippetIsTheCodeItNames() throws IOException {
            List<String> lines = Files.readAllLines(DOC);
            int snippets = 0;
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = MARKER.matcher(lines.get(i));
                if (!m.matches()) {
                    continue;
                }
                assertTrue(lines.get(i + 1).startsWith("```"), DOC + " line " + (i + 2) + " must open a code block");
                StringBuilder block = new StringBuilder();
                int j = i + 2;
                for (; !lines.get(j).startsWith("```"); j++) {
                    block.append(lines.get(j)).append('\n');
                }
                assertEquals(source(m.group(1), m.group(2)), block.toString(), DOC + " line " + (i + 1)
                        + ": the block differs from " + lines.get(i) + "; copy it from there again");
                snippets++;
                i = j;
            }
            assertTrue(snippets >= 4, "the walk-through shows both norms, their service lines and their use; found "
                    + snippets + " snippets");
        }

        private String source(String file, String name) throws IOException {
            String text = Files.readString(file.startsWith("org.") ? Path.of("src/test/resources/writing", file)
                    : HERE.resolve(file));
            if (name == null) {
                return text;
            }
            List<String> inside = new ArrayList<>();
            boolean in = false;
            int indent = -1;
            for (String line : text.split("\n", -1)) {
                if (line.trim().equals("// [/" + name + "]")) {
                    break;
                }
                if (in) {
                    if (indent < 0) {
                        indent = line.length() - line.stripLeading().length();
                    }
                    inside.add(line.length() >= indent ? line.substring(indent) : line.strip());
                }
                if (line.trim().equals("// [" + name + "]")) {
                    in = true;
                }
            }
            assertTrue(in, file + " has no snippet " + name);
            return String.join("\n", inside) + "\n";
        }
    }

    @Test
    void usingTheNorms() {
        // [use]
        NormLayer norm = new ChannelRmsNorm().create(NormSpec.of(16));
        Tensor y = norm.forward(Tensor.randn(DType.FLOAT32, Shape.of(8, 16, 5, 5), 1));   // batch statistics
        norm.eval();                                                 // the running mean of squares now normalises
        Tensor z = norm.forward(Tensor.randn(DType.FLOAT32, Shape.of(1, 16, 5, 5), 2));
        norm.freeze();                                               // fine-tuning: γ, β and statistics fixed
        // [/use]
        assertEquals(Set.of("weight", "bias", "running_mean_square", "num_batches_tracked"),
                norm.stateDict().keySet());
        assertEquals(y.shape(), Shape.of(8, 16, 5, 5));
        assertEquals(z.shape(), Shape.of(1, 16, 5, 5));
    }

    @Test
    void bothNormsRegisterFromTheirServiceLines(@TempDir Path dir) throws IOException {
        Path services = dir.resolve("META-INF/services/org.normkit.autograd.spi.NormalizationProvider");
        Files.createDirectories(services.getParent());
        Files.copy(Path.of("src/test/resources/writing/org.normkit.autograd.spi.NormalizationProvider"), services);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            NormRegistry registry = NormRegistry.load(loader);
            assertEquals(List.of(), registry.loadProblems());
            assertTrue(registry.names().containsAll(List.of("centered_row_norm", "channel_rms_norm")),
                    registry.names().toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"centered_row_norm", "channel_rms_norm"})
    void facesAgreeAndTheReferenceFacePassesGradcheckOnEveryExampleShape(String name) {
        Norm norm = name.equals("centered_row_norm") ? new CenteredRowNorm() : new ChannelRmsNorm();
        for (Shape shape : norm.contract().exampleShapes()) {
            boolean oneValuePerChannel = name.equals("channel_rms_norm") && shape.numel() / shape.dim(1) == 1;
            for (boolean training : oneValuePerChannel ? new boolean[] {false} : new boolean[] {true, false}) {
                for (DType dtype : DType.values()) {
                    FaceAgreement.Report faces = FaceAgreement.check(norm, shape, dtype, training, 3);
                    assertTrue(faces.passed(), faces.describe());
                }
                NormalizationProvider provider = norm;
                NormLayer layer = (NormLayer) provider.create(provider.contract().specFor(shape,
                        NormSpec.of(1).withDtype(DType.FLOAT64)));
                layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), 5));
                layer.train(training);
                GradCheck.Report gradients = NormGradCheck.check(layer, Tensor.randn(DType.FLOAT64, shape, 6), 7);
                assertTrue(gradients.passed(), gradients.describe());
            }
        }
    }
}
