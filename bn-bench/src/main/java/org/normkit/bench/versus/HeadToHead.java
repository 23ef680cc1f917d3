package org.normkit.bench.versus;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.normkit.autograd.loops.VectorWarmUp;
import org.normkit.bench.BenchMask;
import org.normkit.bench.BenchPlan;
import org.normkit.bench.BenchReport;
import org.normkit.bench.BenchResult;
import org.normkit.bench.BenchResult.PeerComparison;
import org.normkit.bench.MachineInfo;

/**
 * The comparison that cannot flatter: normkit and its peers time the same call in one session, sample by sample,
 * and the figure is the plain ratio of milliseconds.
 *
 * <p>For every case and thread count t, after a warm-up of every sample kind, each of {@link Settings#rounds}
 * rounds takes samples of every side's call and of every side's copy on one thread and on t threads, interleaved,
 * and keeps the fastest of each kind. The order
 * of the sides runs backwards every other round and turns by one every two rounds, so no side always follows the
 * same neighbour or always comes first after a pause. What drifts on a shared machine (clock, neighbours) hits the sides
 * of one round alike; the figures are medians over the rounds of per-round ratios:
 * <ul>
 *   <li>{@code normkitOver[peer]}: normkit ms ÷ peer ms;</li>
 *   <li>{@code timesFloor}: normkit ms ÷ the fastest copy of the same tensor sampled in that round, whoever's and
 *       on however many threads up to t (so adding threads never makes the yardstick slower).</li>
 * </ul>
 */
public final class HeadToHead {

    /**
     * @param rounds        rounds of samples per case and thread count (at least 3 for a median that means something)
     * @param minSampleMs   a sample repeats a call until it lasts at least this long
     * @param warmupSamples samples of every kind taken and dropped before the rounds
     * @param forks         fresh JVMs per case, each with its own rounds, the rounds pooled ({@link #pooled}): what the
     *                      JIT made of a kernel in one JVM moves its row by up to a quarter, so one JVM's median is
     *                      one draw of that state
     */
    public record Settings(int rounds, int samplesPerRound, double minSampleMs, int warmupSamples, double warmupMs,
                           double sessionWarmupMs, int forks) {
        public Settings {
            if (rounds < 1 || samplesPerRound < 1 || minSampleMs <= 0 || warmupSamples < 0 || warmupMs < 0
                    || sessionWarmupMs < 0 || forks < 1) {
                throw new IllegalArgumentException("head-to-head settings need rounds >= 1, a sample length > 0, "
                        + "warm-up >= 0 and forks >= 1; got " + rounds + ", " + minSampleMs + " ms, " + warmupSamples
                        + ", " + warmupMs + " ms, " + forks + " forks");
            }
        }

        /** One JVM a case. */
        public Settings(int rounds, int samplesPerRound, double minSampleMs, int warmupSamples, double warmupMs,
                        double sessionWarmupMs) {
            this(rounds, samplesPerRound, minSampleMs, warmupSamples, warmupMs, sessionWarmupMs, 1);
        }

        /**
         * A measurement: 5 rounds, each keeping the fastest of 5 samples (of at least 8 ms) of every kind, after
         * warm-up samples of each kind for at least 1.5 s (3 at the least): on a busy machine the JIT needs that long
         * to compile a norm's loops.
         */
        public static Settings full() {
            return new Settings(5, 5, 8, 3, 1500, 8000);
        }

        /** A look: 3 rounds of the faster of 2 samples of 5 ms, after warm-up samples for 300 ms. */
        public static Settings quick() {
            return new Settings(3, 2, 5, 1, 300, 8000);
        }

        public Settings withRounds(int r) {
            return new Settings(r, samplesPerRound, minSampleMs, warmupSamples, warmupMs, sessionWarmupMs, forks);
        }

        public Settings withForks(int f) {
            return new Settings(rounds, samplesPerRound, minSampleMs, warmupSamples, warmupMs, sessionWarmupMs, f);
        }

        public String describe() {
            return rounds + " rounds, sides alternating (order reversed every other round, turned every two); each "
                    + "round keeps the fastest of " + samplesPerRound + " interleaved samples of a kind, each of at least "
                    + minSampleMs + " ms; warm-up samples of each kind for " + warmupMs + " ms (at "
                    + "least " + warmupSamples + "), after " + sessionWarmupMs + " ms of every side's calls on the "
                    + "case and until normkit's vector loops run compiled; "
                    + (forks == 1 ? "each case in a fresh JVM with fresh peers; medians over the rounds"
                            : "each case in " + forks + " fresh JVMs with fresh peers, their rounds pooled; medians "
                            + "over the " + forks * rounds + " rounds")
                    + " of per-round ratios";
        }
    }

    private final Settings settings;
    private final Function<Case, Contender> normkit;
    private final List<Peer> peers;
    private final PrintWriter progress;
    private final LongSupplier clock;
    private final BooleanSupplier vectorLoopsReady;

    /**
     * The session warm-up goes on past {@link Settings#sessionWarmupMs} until this long (wall clock) while normkit's
     * vector loops are still held back ({@link VectorWarmUp#settled}); then the rounds time what there is, and say so.
     */
    static final long MAX_VECTOR_WAIT_MS = 60_000;

    public HeadToHead(Settings settings, Function<Case, Contender> normkit, List<Peer> peers, PrintWriter progress) {
        this(settings, normkit, peers, progress, System::nanoTime, VectorWarmUp::settled);
    }

    /**
     * For tests: the warm-up reads {@code clock} (nanoseconds), which the test's sides advance as they are sampled,
     * and {@code vectorLoopsReady} for whether normkit's vector loops run yet.
     */
    HeadToHead(Settings settings, Function<Case, Contender> normkit, List<Peer> peers, PrintWriter progress,
            LongSupplier clock, BooleanSupplier vectorLoopsReady) {
        this.settings = settings;
        this.normkit = normkit;
        this.peers = List.copyOf(peers);
        this.progress = progress;
        this.clock = clock;
        this.vectorLoopsReady = vectorLoopsReady;
    }

    /**
     * Runs every case at every thread count into a report of head-to-head rows. A case a peer cannot run (a masked
     * case, when the peer has no masked call) is timed on normkit's side alone, and {@code skipped} says so with the
     * reason, one entry per case and peer.
     */
    public BenchReport run(List<Case> cases, List<Integer> threads, MachineInfo machine) {
        Map<String, String> described = new LinkedHashMap<>();
        peers.forEach(p -> described.put(p.name(), p.describe()));
        List<BenchResult> rows = new ArrayList<>();
        List<BenchPlan.Skip> skipped = new ArrayList<>();
        if (!cases.isEmpty() && settings.sessionWarmupMs() > 0) {
            warmUpSession(cases.get(0));
        }
        int done = 0;
        for (Case c : cases) {
            Map<String, Contender> sides = new LinkedHashMap<>();
            try {
                sides.put(PeerComparison.NORMKIT, normkit.apply(c));
                for (Peer p : peers) {
                    if (c.mask() != BenchMask.NONE && !p.takesMasks()) {
                        skipped.add(skip(c, p.name() + " has no masked call (its " + c.norm() + " takes no mask of "
                                + "valid positions): normkit's side alone"));
                        continue;
                    }
                    try {
                        sides.put(p.name(), p.prepare(c));
                    } catch (UnsupportedOperationException e) {
                        skipped.add(skip(c, e.getMessage()));
                    }
                }
                for (int t : threads) {
                    BenchResult row = measure(c, t, sides);
                    rows.add(row);
                    done++;
                    progress.printf("[%d/%d] %s ×%d: %s%n", done, cases.size() * threads.size(), c, t, line(row));
                    progress.flush();
                }
            } catch (RuntimeException e) {
                skipped.add(skip(c, "failed: " + e.getMessage()));
                progress.println(c + ": failed: " + e.getMessage());
                progress.flush();
            } finally {
                sides.values().forEach(Contender::close);
            }
        }
        return new BenchReport(machine, null, settings.describe(), null, 0, described, rows, skipped, Map.of());
    }

    /** What did not run of case {@code c} (at any thread count), and why. */
    public static BenchPlan.Skip skip(Case c, String reason) {
        return new BenchPlan.Skip(null, c.norm(), c.shape().toCompactString(), c.dtype().label(), c.pass().id(), null,
                c.mask() == BenchMask.NONE ? null : c.mask().id(), null, reason);
    }

    /**
     * Calls every side on the first case for {@link Settings#sessionWarmupMs} before anything is recorded. PyTorch 2.10's
     * library ran its first few dozen calls of a process at 100–200 ms where later ones took 2–8 ms (LayerNorm,
     * 32x128x768); the per-thread-count warm-up was too short to see the end of that. In a JVM of one case
     * ({@link org.normkit.bench.Versus}) this is that case's warm-up, long enough for the JIT's recompilations.
     */
    private void warmUpSession(Case first) {
        List<Contender> sides = new ArrayList<>();
        try {
            sides.add(normkit.apply(first));
            for (Peer p : peers) {
                try {
                    sides.add(p.prepare(first));
                } catch (UnsupportedOperationException e) {
                    // The peer has no such call; the case itself will list it.
                }
            }
            long end = clock.getAsLong() + (long) (settings.sessionWarmupMs() * 1e6);
            while (clock.getAsLong() < end) {
                callEach(sides);
            }
            // normkit's kernels run scalar fall-backs until the JIT has compiled their vector loops (VectorWarmUp),
            // which took 13-21 s of a fresh JVM at load 18: the rounds are to time the loops a long run uses.
            long waitStart = System.nanoTime();
            long waitEnd = waitStart + MAX_VECTOR_WAIT_MS * 1_000_000;
            while (!vectorLoopsReady.getAsBoolean() && System.nanoTime() < waitEnd) {
                callEach(sides);
            }
            double waitedS = (System.nanoTime() - waitStart) / 1e9;
            if (!vectorLoopsReady.getAsBoolean()) {
                progress.printf("warning: normkit's vector loops still wait for the JIT after %.0f s more of warm-up; "
                        + "the rounds time the loops as they are%n", waitedS);
            } else if (waitedS >= 0.1) {
                progress.printf("normkit's vector loops ready %.1f s after the session warm-up%n", waitedS);
            }
        } catch (RuntimeException e) {
            progress.println("session warm-up on " + first + " failed: " + e.getMessage());
        } finally {
            sides.forEach(Contender::close);
        }
    }

    private void callEach(List<Contender> sides) {
        for (Contender c : sides) {
            c.callMs(1, settings.minSampleMs());
            c.copyMs(1, settings.minSampleMs());
        }
    }

    private BenchResult measure(Case c, int t, Map<String, Contender> sides) {
        List<String> names = new ArrayList<>(sides.keySet());
        TreeSet<Integer> copyThreads = new TreeSet<>(List.of(1, t));
        double min = settings.minSampleMs();
        long warmupEnd = clock.getAsLong() + (long) (settings.warmupMs() * 1e6);
        for (int w = 0; w < settings.warmupSamples() || clock.getAsLong() < warmupEnd; w++) {
            for (String name : names) {
                sides.get(name).callMs(t, min);
                for (int u : copyThreads) {
                    sides.get(name).copyMs(u, min);
                }
            }
        }
        Map<String, List<Double>> perRound = new LinkedHashMap<>();
        for (int r = 0; r < settings.rounds(); r++) {
            List<String> order = turned(names, r);
            Map<String, Double> best = new LinkedHashMap<>();
            // Several short samples a side, interleaved, the fastest kept: a sample the scheduler interrupted says
            // how busy the machine was, not how fast the call is, and it hits the sides alike.
            for (int s = 0; s < settings.samplesPerRound(); s++) {
                for (String name : order) {
                    best.merge(name, sides.get(name).callMs(t, min), Math::min);
                }
                for (String name : order) {
                    for (int u : copyThreads) {
                        best.merge(copyKey(name, u), sides.get(name).copyMs(u, min), Math::min);
                    }
                }
            }
            best.forEach((key, ms) -> perRound.computeIfAbsent(key, k -> new ArrayList<>()).add(ms));
        }
        return summarize(c, t, names, perRound);
    }

    /**
     * The side order of round r: turned by r / 2 places, backwards in odd rounds. Two sides go ab, ba, ba, ab, ...;
     * three go through all six orders in six rounds.
     */
    static List<String> turned(List<String> names, int round) {
        List<String> order = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            order.add(names.get((i + round / 2) % names.size()));
        }
        if (round % 2 == 1) {
            java.util.Collections.reverse(order);
        }
        return order;
    }

    static String copyKey(String side, int threads) {
        return side + " copy ×" + threads;
    }

    static BenchResult summarize(Case c, int t, List<String> names, Map<String, List<Double>> perRound) {
        int rounds = perRound.get(PeerComparison.NORMKIT).size();
        List<Double> ours = perRound.get(PeerComparison.NORMKIT);
        Map<String, Double> peerMs = new LinkedHashMap<>();
        Map<String, Double> over = new LinkedHashMap<>();
        for (String name : names) {
            if (!name.equals(PeerComparison.NORMKIT)) {
                peerMs.put(name, median(perRound.get(name)));
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = ours.get(r) / perRound.get(name).get(r);
                }
                over.put(name, median(ratios));
            }
        }
        double[] floor = new double[rounds];
        double[] timesFloor = new double[rounds];
        Map<String, Integer> fastestCount = new HashMap<>();
        for (int r = 0; r < rounds; r++) {
            double best = Double.POSITIVE_INFINITY;
            String by = "";
            for (Map.Entry<String, List<Double>> e : perRound.entrySet()) {
                if (e.getKey().contains(" copy ×") && e.getValue().get(r) < best) {
                    best = e.getValue().get(r);
                    by = e.getKey();
                }
            }
            floor[r] = best;
            timesFloor[r] = ours.get(r) / best;
            fastestCount.merge(by, 1, Integer::sum);
        }
        String floorBy = fastestCount.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse("");
        return BenchResult.headToHead(c.norm(), c.shape().toCompactString(), c.dtype().label(), c.pass().id(),
                c.mask().id(), t, median(ours), new PeerComparison(peerMs, over, median(floor), median(timesFloor),
                        floorBy, perRound));
    }

    /**
     * One row from the same row of every fork of a case: their rounds' samples (normkit's, each peer's, each copy's)
     * in fork order, then the medians over all of them as {@link #summarize} takes them over one JVM's rounds. A peer
     * missing from a fork's row (it could not run the case there) is left out of the pooled row.
     */
    public static BenchResult pooled(Case c, List<BenchResult> forks) {
        BenchResult first = forks.get(0);
        Map<String, List<Double>> perRound = new LinkedHashMap<>();
        for (String key : first.comparison().perRound().keySet()) {
            if (forks.stream().allMatch(f -> f.comparison().perRound().containsKey(key))) {
                perRound.put(key, new ArrayList<>());
            }
        }
        for (BenchResult f : forks) {
            if (f.threads() != first.threads()) {
                throw new IllegalArgumentException("pooled rows of " + c + " have " + first.threads() + " and "
                        + f.threads() + " threads: pool the same row of every fork");
            }
            perRound.forEach((key, samples) -> samples.addAll(f.comparison().perRound().get(key)));
        }
        List<String> names = new ArrayList<>();
        names.add(PeerComparison.NORMKIT);
        first.comparison().peerMs().keySet().stream().filter(perRound::containsKey).forEach(names::add);
        return summarize(c, first.threads(), names, perRound);
    }

    static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static String line(BenchResult row) {
        PeerComparison c = row.comparison();
        StringBuilder b = new StringBuilder(String.format("%s %.3f ms, ", PeerComparison.NORMKIT, row.ms()));
        c.peerMs().forEach((side, ms) -> b.append(String.format("%s %.3f ms, ", side, ms)));
        c.normkitOver().forEach((peer, ratio) -> b.append(String.format("÷%s %.2f, ", peer, ratio)));
        b.append(String.format("×floor %.2f (%s)", c.timesFloor(), c.floorBy()));
        return b.toString();
    }
}
