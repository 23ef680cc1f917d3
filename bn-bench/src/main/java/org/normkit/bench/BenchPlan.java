package org.normkit.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;

/**
 * The run list of a benchmark, kernel or training ({@link BenchKind}): one {@link Group} per JMH run, and what
 * cannot run with the reason. {@link BenchRunner} runs it, {@link BenchReport} holds what came out.
 *
 * <p>Kernel benchmark: for every selected norm, each of its contract's benchmark shapes with the faces and masks it
 * has, built per norm rather than as a cross product, so a norm is only timed on shapes it takes. A shape a norm
 * rejects, a norm without benchmark shapes, face=fused on a norm without a fused face and mask=padded on a norm that
 * takes no mask are listed as skipped, and the rest runs. Each group is crossed with the selection's dtypes, passes
 * and threads, and timed beside the copy baseline of its shape.
 *
 * <p>Training benchmark: every selected (net, norm) with the faces it can run; a norm that cannot normalise one of
 * the net's activations, and face=fused for a norm without a fused face, are skipped with the reason. Norm
 * {@code none} runs once per net and thread count: without norms the face makes no difference.
 */
public final class BenchPlan {

    /**
     * One JMH run. Kernel: a norm on one shape, with its faces and masks ({@code net} null). Training: a net with a
     * norm, on its faces ({@code shape}, {@code bytesModel} and {@code spec} null, masks none).
     */
    public record Group(BenchKind kind, String net, String norm, Shape shape, List<Face> faces, List<BenchMask> masks,
                        BytesModel bytesModel, String spec) {
        public Group {
            faces = List.copyOf(faces);
            masks = List.copyOf(masks);
        }

        static Group kernel(String norm, Shape shape, List<Face> faces, List<BenchMask> masks, BytesModel bytesModel,
                            String spec) {
            return new Group(BenchKind.KERNEL, null, norm, shape, faces, masks, bytesModel, spec);
        }

        static Group training(String net, String norm, List<Face> faces) {
            return new Group(BenchKind.TRAINING, net, norm, null, faces, List.of(BenchMask.NONE), null, null);
        }

        /** {@code 32x64x56x56}; {@code -} for a training group. */
        public String shapeText() {
            return shape == null ? "-" : shape.toCompactString();
        }
    }

    /**
     * A part of the benchmark that did not run, and why. {@code "*"} stands for every value of a column; a column
     * the kind has not (a kernel's net, a training step's shape, dtype, pass, mask) is null and left out of the JSON.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Skip(String net, String norm, String shape, String dtype, String pass, String face, String mask,
                       String threads, String reason) {

        static Skip kernel(String norm, String shape, String face, String mask, String reason) {
            return new Skip(null, norm, shape, "*", "*", face, mask, "*", reason);
        }

        static Skip training(String net, String norm, String face, String reason) {
            return new Skip(net, norm, null, null, null, face, null, null, reason);
        }

        /** What did not run, e.g. {@code layer_norm 8x64 float32 fused padded t=2} or {@code mlp batch_norm fused}. */
        public String what() {
            StringBuilder s = new StringBuilder();
            for (String v : new String[] {net, norm, shape, dtype, pass, face, mask}) {
                if (v != null && !v.equals("*")) {
                    s.append(s.isEmpty() ? "" : " ").append(v);
                }
            }
            if (threads != null && !threads.equals("*")) {
                s.append(" t=").append(threads);
            }
            return s.toString();
        }
    }

    private final BenchSelection selection;
    private final List<Group> groups;
    private final List<Skip> skipped;

    private BenchPlan(BenchSelection selection, List<Group> groups, List<Skip> skipped) {
        this.selection = selection;
        this.groups = List.copyOf(groups);
        this.skipped = List.copyOf(skipped);
    }

    /** The plan over this registry; an unknown selected norm is an error that lists the registered ones. */
    public static BenchPlan of(NormRegistry registry, BenchSelection selection) {
        return selection.kind() == BenchKind.KERNEL ? kernel(registry.providers(), selection)
                : training(registry, selection);
    }

    /** The kernel plan over these providers (sorted by name). */
    public static BenchPlan kernel(Collection<NormalizationProvider> providers, BenchSelection selection) {
        Map<String, NormalizationProvider> byName = new TreeMap<>();
        providers.forEach(p -> byName.put(p.name(), p));
        List<String> names = selection.norms().isEmpty() ? List.copyOf(byName.keySet()) : selection.norms();
        Map<String, NormalizationProvider> chosen = new LinkedHashMap<>();
        for (String name : names) {
            NormalizationProvider p = byName.get(name.trim());
            if (p == null) {
                throw new IllegalArgumentException("unknown normalization '" + name + "' in --norms; registered: "
                        + (byName.isEmpty() ? "(none)" : String.join(", ", byName.keySet()))
                        + " (a plugin's norms appear after --plugins path/to/plugin.jar)");
            }
            chosen.put(p.name(), p);
        }
        List<Group> groups = new ArrayList<>();
        List<Skip> skipped = new ArrayList<>();
        for (NormalizationProvider p : chosen.values()) {
            planKernel(p, selection, groups, skipped);
        }
        return new BenchPlan(selection, groups, skipped);
    }

    private static void planKernel(NormalizationProvider p, BenchSelection selection, List<Group> groups,
                                   List<Skip> skipped) {
        List<Shape> shapes;
        BytesModel bytesModel;
        try {
            shapes = p.contract().benchmarkShapes();
            bytesModel = BytesModel.of(p);
        } catch (RuntimeException e) {
            skipped.add(Skip.kernel(p.name(), "*", "*", "*", "its provider failed: " + e.getMessage()));
            return;
        }
        if (shapes.isEmpty()) {
            skipped.add(Skip.kernel(p.name(), "*", "*", "*", "its contract lists no benchmark shapes"));
            return;
        }
        for (Shape shape : shapes) {
            Normalization layer;
            String spec;
            try {
                NormSpec first = null;
                for (DType dtype : selection.dtypes()) {
                    NormSpec s = NormWorkload.specFor(p, shape, dtype);
                    first = first == null ? s : first;
                }
                spec = first.describe().replaceFirst(", dtype=float(32|64)", "");
                layer = p.create(first);
            } catch (RuntimeException e) {
                skipped.add(Skip.kernel(p.name(), shape.toCompactString(), "*", "*", "rejected: " + e.getMessage()));
                continue;
            }
            List<Face> faces = new ArrayList<>(selection.faces());
            if (layer.fused().isEmpty() && faces.remove(Face.FUSED)) {
                skipped.add(Skip.kernel(p.name(), shape.toCompactString(), Face.FUSED.id(), "*", "no fused face"));
            }
            List<BenchMask> masks = new ArrayList<>(selection.masks());
            if (!layer.takesMask() && masks.remove(BenchMask.PADDED)) {
                skipped.add(Skip.kernel(p.name(), shape.toCompactString(), "*", BenchMask.PADDED.id(),
                        "takes no mask of valid positions"));
            }
            if (!faces.isEmpty() && !masks.isEmpty()) {
                groups.add(Group.kernel(p.name(), shape, faces, masks, bytesModel, spec));
            }
        }
    }

    private static BenchPlan training(NormRegistry registry, BenchSelection selection) {
        List<String> norms = new ArrayList<>();
        if (selection.norms().isEmpty()) {
            norms.add(TrainingWorkload.NONE);
            norms.addAll(registry.names());
        } else {
            for (String name : selection.norms()) {
                String n = name.trim();
                if (!n.equals(TrainingWorkload.NONE)) {
                    registry.get(n); // throws, listing the registered names
                }
                if (!norms.contains(n)) {
                    norms.add(n);
                }
            }
        }
        List<Group> groups = new ArrayList<>();
        List<Skip> skipped = new ArrayList<>();
        for (String net : selection.nets()) {
            for (String norm : norms) {
                if (norm.equals(TrainingWorkload.NONE)) {
                    groups.add(Group.training(net, norm, List.of(Face.REFERENCE)));
                    continue;
                }
                Optional<String> impossible = TrainingWorkload.unavailable(registry, net, norm, Face.REFERENCE);
                if (impossible.isPresent()) {
                    skipped.add(Skip.training(net, norm, "*", impossible.get()));
                    continue;
                }
                List<Face> faces = new ArrayList<>();
                for (Face face : selection.faces()) {
                    Optional<String> reason = face == Face.REFERENCE ? Optional.empty()
                            : TrainingWorkload.unavailable(registry, net, norm, face);
                    if (reason.isPresent()) {
                        skipped.add(Skip.training(net, norm, face.id(), reason.get()));
                    } else {
                        faces.add(face);
                    }
                }
                if (!faces.isEmpty()) {
                    groups.add(Group.training(net, norm, faces));
                }
            }
        }
        return new BenchPlan(selection, groups, skipped);
    }

    /** The same plan for one thread count: what one benchmark JVM runs. */
    public BenchPlan withThreads(int threads) {
        return new BenchPlan(selection.withThreads(List.of(threads)), groups, skipped);
    }

    public BenchKind kind() {
        return selection.kind();
    }

    public BenchSelection selection() {
        return selection;
    }

    public List<Group> groups() {
        return groups;
    }

    public List<Skip> skipped() {
        return skipped;
    }

    /**
     * Timed combinations that give a row: a kernel group crossed with dtypes, its faces and masks, passes and
     * threads; a training group's faces crossed with threads.
     */
    public int rowCombos() {
        if (kind() == BenchKind.TRAINING) {
            return groups.stream().mapToInt(g -> g.faces().size()).sum() * selection.threads().size();
        }
        int perFaceAndMask = selection.dtypes().size() * selection.passes().size() * selection.threads().size();
        return groups.stream().mapToInt(g -> g.faces().size() * g.masks().size() * perFaceAndMask).sum();
    }

    /** Copy baselines to run: one per kernel group, dtype and thread count; none for training steps. */
    public int copyCombos() {
        return kind() == BenchKind.TRAINING ? 0
                : groups.size() * selection.dtypes().size() * selection.threads().size();
    }

    /** Everything JMH times: rows and copy baselines. */
    public int combos() {
        return rowCombos() + copyCombos();
    }

    /** The face a training row shows: {@code -} for the net without norms, where there is no face to choose. */
    static String faceLabel(String norm, String face) {
        return norm.equals(TrainingWorkload.NONE) ? "-" : face;
    }
}
