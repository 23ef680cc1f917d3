package org.normkit.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.experiments.train.Nets;

/**
 * The run list of the training-step benchmark: every selected (net, norm) with the faces it can run, and what cannot
 * run with the reason (a norm that cannot normalise one of the net's activations, face=fused for a norm without a
 * fused face). Norm {@code none} runs once per net and thread count: without norms the face makes no difference.
 */
public final class TrainingPlan {

    /** Which part of the training benchmark to run; an empty {@code norms} list means none plus every registered norm. */
    public record Selection(List<String> nets, List<String> norms, List<Face> faces, List<Integer> threads) {
        public Selection {
            nets = List.copyOf(nets);
            norms = List.copyOf(norms);
            faces = List.copyOf(faces);
            threads = List.copyOf(threads);
            if (nets.isEmpty() || faces.isEmpty() || threads.isEmpty()) {
                throw new IllegalArgumentException("the training benchmark needs at least one net, face and thread "
                        + "count, e.g. --nets mlp --faces fused --threads 1");
            }
            for (String net : nets) {
                if (!Nets.NAMES.contains(net)) {
                    throw new IllegalArgumentException("unknown net '" + net + "': expected one of " + Nets.NAMES);
                }
            }
            for (int t : threads) {
                if (t < 1) {
                    throw new IllegalArgumentException("threads = " + t + ": thread counts must be >= 1");
                }
            }
        }

        /** Both nets, none and every registered norm, both faces, one thread. */
        public static Selection all() {
            return new Selection(Nets.NAMES, List.of(), Face.BOTH, List.of(1));
        }

        public Selection withNets(List<String> n) {
            return new Selection(n, norms, faces, threads);
        }

        public Selection withNorms(List<String> n) {
            return new Selection(nets, n, faces, threads);
        }

        public Selection withFaces(List<Face> f) {
            return new Selection(nets, norms, f, threads);
        }

        public Selection withThreads(List<Integer> t) {
            return new Selection(nets, norms, faces, t);
        }
    }

    /** One JMH run: a net with a norm, on these faces, crossed with the selection's thread counts. */
    public record Group(String net, String norm, List<Face> faces) {}

    /** A (net, norm, face) that did not run, and why; face {@code "*"} stands for every face. */
    public record Skip(String net, String norm, String face, String reason) {}

    private final Selection selection;
    private final List<Group> groups;
    private final List<Skip> skipped;

    private TrainingPlan(Selection selection, List<Group> groups, List<Skip> skipped) {
        this.selection = selection;
        this.groups = List.copyOf(groups);
        this.skipped = List.copyOf(skipped);
    }

    /** The plan over this registry; an unknown norm name is an error that lists the registered ones. */
    public static TrainingPlan of(NormRegistry registry, Selection selection) {
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
                    groups.add(new Group(net, norm, List.of(Face.REFERENCE)));
                    continue;
                }
                Optional<String> impossible = TrainingWorkload.unavailable(registry, net, norm, Face.REFERENCE);
                if (impossible.isPresent()) {
                    skipped.add(new Skip(net, norm, "*", impossible.get()));
                    continue;
                }
                List<Face> faces = new ArrayList<>();
                for (Face face : selection.faces()) {
                    Optional<String> reason = face == Face.REFERENCE ? Optional.empty()
                            : TrainingWorkload.unavailable(registry, net, norm, face);
                    if (reason.isPresent()) {
                        skipped.add(new Skip(net, norm, face.id(), reason.get()));
                    } else {
                        faces.add(face);
                    }
                }
                if (!faces.isEmpty()) {
                    groups.add(new Group(net, norm, faces));
                }
            }
        }
        return new TrainingPlan(selection, groups, skipped);
    }

    /** The same plan for one thread count: what one benchmark JVM runs. */
    public TrainingPlan withThreads(int threads) {
        return new TrainingPlan(selection.withThreads(List.of(threads)), groups, skipped);
    }

    public Selection selection() {
        return selection;
    }

    public List<Group> groups() {
        return groups;
    }

    public List<Skip> skipped() {
        return skipped;
    }

    /** The number of timed combinations. */
    public int combos() {
        return groups.stream().mapToInt(g -> g.faces().size()).sum() * selection.threads().size();
    }

    /** The face a row shows: {@code -} for the net without norms, where there is no face to choose. */
    static String faceLabel(String norm, String face) {
        return norm.equals(TrainingWorkload.NONE) ? "-" : face;
    }
}
