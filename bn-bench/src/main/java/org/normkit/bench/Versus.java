package org.normkit.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.bench.versus.Case;
import org.normkit.bench.versus.HeadToHead;
import org.normkit.bench.versus.Peer;
import org.normkit.bench.versus.PeerFactory;
import org.normkit.bench.versus.PythonPeer;

/**
 * {@code normkit bench --peer ...}: the {@link HeadToHead} comparison, each case run in a JVM of its own
 * ({@link #main}).
 *
 * <p>Peers: {@value PythonPeer#ID} is the system Python's PyTorch through {@value PeerLookup#SCRIPT};
 * {@value #LIBTORCH} is PyTorch 2.10's C++ library in the benchmark JVM itself, from the optional {@code bn-pytorch}
 * module ({@code mvn -B -P pytorch -pl bn-pytorch -am package} downloads it, about 90 MB, and writes
 * {@value #PEER_CLASSPATH}, which this class adds to the benchmark JVM's class path). libtorch's allocator needs
 * glibc's malloc to keep one arena and no mmapped blocks ({@code MALLOC_ARENA_MAX=1}, {@code MALLOC_MMAP_MAX_=0}) to
 * load on this machine, so the benchmark JVM is started with those, and with a trim threshold of 1 GiB so that freed
 * outputs are reused rather than page-faulted afresh on every call (what {@code bench_peer.py} sets for its side).
 */
public final class Versus {
    /** The peer id of PyTorch 2.10 through its C++ library (the optional bn-pytorch module). */
    public static final String LIBTORCH = "pytorch-2.10";
    /** The class path file the bn-pytorch build writes, found walking up from this code's location. */
    public static final String PEER_CLASSPATH = "bn-pytorch/target/peer-classpath.txt";

    /**
     * The benchmark JVM's heap: fixed and touched at start. A first touch of a page costs this machine's hypervisor
     * about 10 µs, and a fresh JVM hands out untouched heap for a long while, so every small array a call allocated
     * paid faults: BatchNorm over (256, 1024) took 0.50 ms a call in CPU time with the default heap and 0.05 ms with
     * this one. A long training run reaches the second state by itself once its young generation has been reused;
     * the peers' allocators are tuned to reuse memory the same way (see the environment below).
     */
    static final List<String> HEAP = List.of("-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch");

    private Versus() {}

    /**
     * Runs the comparison of the plan's cases (fused face; masked too where the selection asks for masks and a norm
     * takes them) against {@code peers}, each case in a fresh JVM of its own with fresh peers, as JMH forks: in one
     * JVM for every case, the cases run before shaped what the JIT compiled for the next (BatchNorm1d's float32 training
     * forward took 0.170 ms on one thread in the full run and 0.086–0.090 ms alone, docs/results/bench/case-order-check),
     * and no warm-up length undid it. Each case's thread counts share its JVM.
     */
    public static BenchReport run(BenchPlan plan, List<String> peers, HeadToHead.Settings settings,
                                  List<String> jvmArgs, PrintWriter progress) {
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("no peer to compare with: give --peer " + PythonPeer.ID + " and/or "
                    + LIBTORCH);
        }
        for (String p : peers) {
            if (!p.equals(PythonPeer.ID) && !p.equals(LIBTORCH)) {
                throw new IllegalArgumentException("unknown peer '" + p + "': the peers are " + PythonPeer.ID
                        + " (the system Python's torch) and " + LIBTORCH + " (the optional bn-pytorch module)");
            }
        }
        String classPath = System.getProperty("java.class.path");
        if (peers.contains(LIBTORCH)) {
            classPath = classPath + java.io.File.pathSeparator + libtorchClassPath();
        }
        List<Integer> threads = plan.selection().threads();
        Map<String, String> env = environment(threads);
        List<String> benchmarkJvm = new ArrayList<>(jvmArgs);
        benchmarkJvm.addAll(HEAP);
        List<Case> cases = cases(plan);
        String loadBefore = loadAverage();
        List<BenchReport> parts = new ArrayList<>();
        List<BenchPlan.Skip> failed = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            List<String> args = arguments(c, threads, peers, settings);
            List<BenchReport> forks = new ArrayList<>();
            try {
                for (int f = 1; f <= settings.forks(); f++) {
                    progress.printf("case %d of %d: %s, in a JVM of its own%s%n", i + 1, cases.size(), c,
                            settings.forks() == 1 ? "" : " (" + f + " of " + settings.forks() + ")");
                    progress.flush();
                    forks.add(SharedJvm.run(Versus.class, classPath, out -> {
                        List<String> a = new ArrayList<>(args);
                        a.add("--out");
                        a.add(out.toAbsolutePath().toString());
                        return a;
                    }, benchmarkJvm, env, BenchReport::read, progress));
                }
                parts.add(pooled(c, forks));
            } catch (RuntimeException e) {
                if (i == 0) {
                    throw e; // the first case failing says the set-up (a peer, the class path) is wrong: stop here
                }
                failed.add(HeadToHead.skip(c, "failed: " + e.getMessage()));
                progress.println(c + ": failed: " + e.getMessage());
            }
        }
        return merged(parts, plan.skipped(), failed, loadBefore + " at the start, " + loadAverage() + " at the end")
                .withCommit(Commit.describe());
    }

    /**
     * The environment of every benchmark JVM. libtorch's allocator needs glibc's malloc to keep one arena and no
     * mmapped blocks to load on this machine.
     */
    static Map<String, String> environment(List<Integer> threads) {
        Map<String, String> env = new HashMap<>();
        env.put("MALLOC_ARENA_MAX", "1");
        env.put("MALLOC_MMAP_MAX_", "0");
        // Without mmap, glibc gives freed heap tops back to the system above 128 KiB by default, so each call's
        // output page-faulted afresh (libtorch's layer_norm: 200 ms a call instead of 4); bench_peer.py sets the same.
        env.put("MALLOC_TRIM_THRESHOLD_", Long.toString(1L << 30));
        int maxThreads = threads.stream().mapToInt(Integer::intValue).max().orElse(1);
        env.put("OPENBLAS_NUM_THREADS", Integer.toString(maxThreads));
        env.put("OMP_NUM_THREADS", Integer.toString(maxThreads));
        // OpenMP's idle workers spin by default; on a shared 2-core machine a spinning worker takes the core from
        // the thread that has the next call to make (normkit's or a peer's).
        env.put("OMP_WAIT_POLICY", "PASSIVE");
        return env;
    }

    /**
     * One report of the per-case reports, in case order: the first JVM's machine and method, the load of the whole run,
     * the plan's skipped combinations, then each case's, then the cases whose JVM failed.
     */
    static BenchReport merged(List<BenchReport> parts, List<BenchPlan.Skip> planSkipped, List<BenchPlan.Skip> failed,
                              String load) {
        if (parts.isEmpty()) {
            throw new IllegalStateException("no case of the head-to-head run finished: " + failed);
        }
        BenchReport first = parts.get(0);
        Map<String, String> peers = new LinkedHashMap<>();
        List<BenchResult> rows = new ArrayList<>();
        List<BenchPlan.Skip> skipped = new ArrayList<>(planSkipped);
        for (BenchReport part : parts) {
            part.peers().forEach(peers::putIfAbsent);
            rows.addAll(part.results());
            skipped.addAll(part.skipped());
        }
        skipped.addAll(failed);
        return new BenchReport(first.machine().withLoad(load), null, first.settings(), null, 0, peers, rows, skipped,
                Map.of());
    }

    /**
     * One report of case {@code c} from the reports of its forks (fresh JVMs, same arguments): the first fork's report
     * with every row pooled over the forks' rounds ({@link HeadToHead#pooled}); with one fork, that fork's report.
     */
    static BenchReport pooled(Case c, List<BenchReport> forks) {
        BenchReport first = forks.get(0);
        if (forks.size() == 1) {
            return first;
        }
        List<BenchResult> rows = new ArrayList<>();
        for (int r = 0; r < first.results().size(); r++) {
            List<BenchResult> same = new ArrayList<>();
            for (BenchReport fork : forks) {
                if (fork.results().size() != first.results().size()) {
                    throw new IllegalStateException(c + ": its JVMs timed " + first.results().size() + " and "
                            + fork.results().size() + " rows: the forks of a case must time the same rows");
                }
                same.add(fork.results().get(r));
            }
            rows.add(HeadToHead.pooled(c, same));
        }
        return new BenchReport(first.machine(), first.commit(), first.settings(), first.threadsHook(), first.batch(),
                first.peers(), rows, first.skipped(), first.specs());
    }

    /** The bn-pytorch module's class path, or an error that says how to build it. */
    static String libtorchClassPath() {
        Optional<Path> file = PeerLookup.locate(PeerLookup.startPoints(), PEER_CLASSPATH);
        if (file.isEmpty()) {
            throw new IllegalArgumentException("--peer " + LIBTORCH + " needs the optional bn-pytorch module, which is "
                    + "not built: run `mvn -B -P pytorch -pl bn-pytorch -am package` (downloads PyTorch 2.10's "
                    + "library, about 90 MB) and try again");
        }
        try {
            Path classes = file.get().resolveSibling("classes");
            return classes + java.io.File.pathSeparator + Files.readString(file.get()).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.get() + ": " + e.getMessage(), e);
        }
    }

    /** What the benchmark JVM of case {@code c} is told: the case, the thread counts, the peers and the method. */
    static List<String> arguments(Case c, List<Integer> threads, List<String> peers, HeadToHead.Settings settings) {
        return List.of(
                "--norm", c.norm(),
                "--shape", c.shape().toCompactString(),
                "--dtype", c.dtype().label(),
                "--pass", c.pass().id(),
                "--mask", c.mask().id(),
                "--threads", threads.stream().map(String::valueOf).collect(Collectors.joining(",")),
                "--peers", String.join(",", peers),
                "--rounds", Integer.toString(settings.rounds()),
                "--samples", Integer.toString(settings.samplesPerRound()),
                "--sample-ms", Double.toString(settings.minSampleMs()),
                "--warmup", Integer.toString(settings.warmupSamples()),
                "--warmup-ms", Double.toString(settings.warmupMs()),
                "--session-warmup-ms", Double.toString(settings.sessionWarmupMs()),
                "--forks", Integer.toString(settings.forks()));
    }

    /** The case a benchmark JVM is told by {@link #arguments}. */
    static Case caseOf(Map<String, String> a) {
        return new Case(a.get("--norm"), Shape.parse(a.get("--shape")), DType.parse(a.get("--dtype")),
                BenchPass.parse(a.get("--pass")), BenchMask.parse(a.get("--mask")));
    }

    /** The benchmark JVM of one case: its peers, rounds and report. */
    public static void main(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        Case c = caseOf(a);
        List<Integer> threads = list(a.get("--threads")).stream().map(Integer::parseInt).toList();
        HeadToHead.Settings settings = new HeadToHead.Settings(Integer.parseInt(a.get("--rounds")),
                Integer.parseInt(a.get("--samples")), Double.parseDouble(a.get("--sample-ms")), Integer.parseInt(a.get("--warmup")),
                Double.parseDouble(a.get("--warmup-ms")), Double.parseDouble(a.get("--session-warmup-ms")),
                Integer.parseInt(a.getOrDefault("--forks", "1")));
        PrintWriter progress = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        int maxThreads = threads.stream().mapToInt(Integer::intValue).max().orElse(1);
        List<Peer> peers = startPeers(list(a.get("--peers")), maxThreads, progress);
        try {
            HeadToHead run = new HeadToHead(settings, NormkitContender::of, peers, progress);
            run.run(List.of(c), threads, MachineInfo.current(MachineInfo.thisJvmFlags())).write(Path.of(a.get("--out")));
        } finally {
            peers.forEach(Peer::close);
        }
        System.exit(0);
    }

    /**
     * The cases of a kernel plan: every group's masks (the masked call only for norms that take a mask: the plan
     * lists the others as skipped) × the selection's dtypes × its passes.
     */
    static List<Case> cases(BenchPlan plan) {
        List<Case> cases = new ArrayList<>();
        for (BenchPlan.Group g : plan.groups()) {
            for (BenchMask mask : g.masks()) {
                for (DType dtype : plan.selection().dtypes()) {
                    for (BenchPass pass : plan.selection().passes()) {
                        cases.add(new Case(g.norm(), g.shape(), dtype, pass, mask));
                    }
                }
            }
        }
        return cases;
    }

    private static List<Peer> startPeers(List<String> ids, int maxThreads, PrintWriter progress) {
        Map<String, PeerFactory> found = new LinkedHashMap<>();
        ServiceLoader.load(PeerFactory.class).forEach(f -> found.put(f.name(), f));
        List<Peer> peers = new ArrayList<>();
        for (String id : ids) {
            if (id.equals(PythonPeer.ID)) {
                Path script = PeerLookup.locate(PeerLookup.startPoints(), PeerLookup.SCRIPT).orElseThrow(() ->
                        new IllegalStateException(PeerLookup.SCRIPT + " not found above " + PeerLookup.startPoints()));
                String python = PeerLookup.interpreterWithTorch(PeerLookup.INTERPRETERS).orElseThrow(() ->
                        new IllegalStateException("no python3 with torch (tried " + PeerLookup.INTERPRETERS + ")"));
                peers.add(PythonPeer.start(python, script, maxThreads));
            } else if (found.containsKey(id)) {
                peers.add(found.get(id).start());
            } else {
                throw new IllegalStateException("peer " + id + " is not on the class path (found: " + found.keySet()
                        + ")");
            }
            progress.println("peer " + peers.get(peers.size() - 1).name() + ": "
                    + peers.get(peers.size() - 1).describe());
        }
        return peers;
    }

    /** The first three fields of {@code /proc/loadavg}, or "unknown": how busy the shared machine was. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static List<String> list(String value) {
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }
}
