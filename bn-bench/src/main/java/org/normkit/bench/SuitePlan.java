package org.normkit.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;

/**
 * The run list: for every selected norm, each of its contract's benchmark shapes with the faces it has. Built per
 * norm rather than as a cross product, so a norm is only timed on shapes it takes; a shape a norm rejects, a norm
 * without benchmark shapes, and face=fused on a norm without a fused face are listed as skipped with the reason,
 * and the rest of the suite runs.
 */
public final class SuitePlan {

    /** One JMH run: a norm on one shape, crossed with the selection's dtypes, {@link #faces}, passes, threads. */
    public record Group(String norm, Shape shape, List<Face> faces, BytesModel bytesModel, String spec) {
        public String shapeText() {
            return shape.toCompactString();
        }
    }

    /** A part of the suite that did not run, and why; {@code "*"} stands for every value of a column. */
    public record Skip(String norm, String shape, String dtype, String pass, String face, String threads,
                       String reason) {
        static Skip of(String norm, String shape, String face, String reason) {
            return new Skip(norm, shape, "*", "*", face, "*", reason);
        }
    }

    private final BenchSelection selection;
    private final List<Group> groups;
    private final List<Skip> skipped;

    private SuitePlan(BenchSelection selection, List<Group> groups, List<Skip> skipped) {
        this.selection = selection;
        this.groups = List.copyOf(groups);
        this.skipped = List.copyOf(skipped);
    }

    public static SuitePlan of(NormRegistry registry, BenchSelection selection) {
        return of(registry.providers(), selection);
    }

    /** The plan over these providers (sorted by name); an unknown selected name lists the known ones. */
    public static SuitePlan of(Collection<NormalizationProvider> providers, BenchSelection selection) {
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
            plan(p, selection, groups, skipped);
        }
        return new SuitePlan(selection, groups, skipped);
    }

    private static void plan(NormalizationProvider p, BenchSelection selection, List<Group> groups, List<Skip> skipped) {
        List<Shape> shapes;
        BytesModel bytesModel;
        try {
            shapes = p.contract().benchmarkShapes();
            bytesModel = BytesModel.of(p);
        } catch (RuntimeException e) {
            skipped.add(Skip.of(p.name(), "*", "*", "its provider failed: " + e.getMessage()));
            return;
        }
        if (shapes.isEmpty()) {
            skipped.add(Skip.of(p.name(), "*", "*", "its contract lists no benchmark shapes"));
            return;
        }
        for (Shape shape : shapes) {
            boolean hasFused;
            String spec;
            try {
                NormSpec first = null;
                for (DType dtype : selection.dtypes()) {
                    NormSpec s = NormWorkload.specFor(p, shape, dtype);
                    first = first == null ? s : first;
                }
                spec = first.describe().replaceFirst(", dtype=float(32|64)", "");
                hasFused = p.create(first).fused().isPresent();
            } catch (RuntimeException e) {
                skipped.add(Skip.of(p.name(), shape.toCompactString(), "*", "rejected: " + e.getMessage()));
                continue;
            }
            List<Face> faces = new ArrayList<>(selection.faces());
            if (!hasFused && faces.remove(Face.FUSED)) {
                skipped.add(Skip.of(p.name(), shape.toCompactString(), Face.FUSED.id(), "no fused face"));
            }
            if (!faces.isEmpty()) {
                groups.add(new Group(p.name(), shape, faces, bytesModel, spec));
            }
        }
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

    /** Norm benchmarks to run: every group crossed with dtypes, its faces, passes and threads. */
    public int normCombos() {
        int perFace = selection.dtypes().size() * selection.passes().size() * selection.threads().size();
        return groups.stream().mapToInt(g -> g.faces().size() * perFace).sum();
    }

    /** Copy baselines to run: one per group, dtype and thread count. */
    public int copyCombos() {
        return groups.size() * selection.dtypes().size() * selection.threads().size();
    }

    /** The distinct norms that have something to run, in order. */
    public List<String> norms() {
        return groups.stream().map(Group::norm).distinct().toList();
    }
}
