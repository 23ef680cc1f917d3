package org.normkit.autograd.check;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.normkit.autograd.loops.VectorWarmUp;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;

/**
 * What every tool does before it uses a norm: check, once per norm and run, that its reference and fused faces agree
 * ({@link FaceAgreement}: output, input gradient, parameter gradients, running statistics after one step) on a
 * small input from the norm's contract, in float64, in training and in evaluation. A norm whose faces disagree is
 * refused with a {@link FacesDisagreeException} naming the first quantity that differs, its worst element's index
 * and both values: a bug in either face would otherwise train, benchmark or be compared without a word.
 *
 * <p>The input is the first of the contract's example shapes that the norm takes in training (a shape with one
 * value per channel is valid in evaluation only). A norm without a fused face has nothing to compare and passes.
 * Each check costs a few small forward and backward calls. Not thread-safe: one verifier per run.
 */
public final class NormVerifier {
    private static final long SEED = 20_171_201L;

    private final NormRegistry registry;
    private final Set<String> verified = new LinkedHashSet<>();

    public NormVerifier(NormRegistry registry) {
        this.registry = registry;
    }

    /** Verifies each of {@code names} not verified before in this run; unknown names fail as the registry does. */
    public void requireFacesAgree(Collection<String> names) {
        for (String name : names) {
            if (verified.contains(name)) {
                continue;
            }
            for (FaceAgreement.Report report : check(name)) {
                if (!report.passed()) {
                    throw new FacesDisagreeException(refusal(report));
                }
            }
            verified.add(name);
        }
    }

    /** The norms verified so far, in order. */
    public List<String> verified() {
        return List.copyOf(verified);
    }

    /**
     * The face agreement of {@code name} on its small input, in training and in evaluation (float64). The check's
     * few calls start no {@link VectorWarmUp} of the float64 loops they reach: a float32 run would compile them for
     * nothing while its own first epoch waits for the compiler threads (docs/training-throughput.md, ninth session).
     */
    public List<FaceAgreement.Report> check(String name) {
        return VectorWarmUp.withoutWarmUp(() -> checkNow(name));
    }

    private List<FaceAgreement.Report> checkNow(String name) {
        NormalizationProvider provider = registry.get(name);
        UnsupportedInputException lastRefusal = null;
        for (Shape shape : provider.contract().exampleShapes()) {
            try {
                FaceAgreement.Report training = FaceAgreement.check(provider, shape, DType.FLOAT64, true, SEED);
                FaceAgreement.Report evaluation = FaceAgreement.check(provider, shape, DType.FLOAT64, false, SEED);
                return List.of(training, evaluation);
            } catch (UnsupportedInputException e) {
                lastRefusal = e;
            }
        }
        throw new IllegalArgumentException(name + ": none of its contract's example shapes "
                + provider.contract().exampleShapes() + " can be used in training, so its faces cannot be compared"
                + (lastRefusal == null ? "" : " (" + lastRefusal.getMessage() + ")")
                + "; give the contract a shape with more than one value per statistics set");
    }

    private static String refusal(FaceAgreement.Report report) {
        StringBuilder s = new StringBuilder(report.norm()).append(": its reference and fused faces disagree on a ")
                .append(report.shape()).append(' ').append(report.dtype()).append(" input in ")
                .append(report.training() ? "training" : "evaluation").append(": ");
        Comparison worst = report.comparisons().stream().filter(c -> !c.passed()).findFirst().orElse(null);
        if (worst == null) {
            s.append(report.problems().get(0));
        } else if (!worst.shapesMatch()) {
            s.append(worst.describe());
        } else {
            s.append(worst.what()).append(" worst at ").append(worst.index()).append(": reference ")
                    .append(worst.expected()).append(", fused ").append(worst.actual()).append(" (tolerance ")
                    .append(worst.tolerance()).append(')');
        }
        return s.append("; fix the face that is wrong (`normkit verify ").append(report.norm())
                .append("` shows every check), or skip this check with --no-verify").toString();
    }

    /** A norm whose two faces compute different things: using it would measure a bug. */
    public static final class FacesDisagreeException extends IllegalStateException {
        FacesDisagreeException(String message) {
            super(message);
        }
    }
}
