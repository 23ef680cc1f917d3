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

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.tensor.DType;
import org.normkit.bench.versus.Case;
import org.normkit.bench.versus.HeadToHead;
import org.normkit.bench.versus.Peer;
import org.normkit.bench.versus.PeerFactory;
import org.normkit.bench.versus.PythonPeer;

/**
 * {@code normkit bench --peer ...}: the {@link HeadToHead} comparison, run in a JVM of its own ({@link #main}).
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
     * Runs the comparison of the selection's norms (fused face; masked too where the selection asks for masks and a
     * norm takes them) against {@code peers} in a JVM of its own.
     */
    public static BenchReport run(BenchSelection selection, List<String> peers, HeadToHead.Settings settings,
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
        Map<String, String> env = new HashMap<>();
        env.put("MALLOC_ARENA_MAX", "1");
        env.put("MALLOC_MMAP_MAX_", "0");
        // Without mmap, glibc gives freed heap tops back to the system above 128 KiB by default, so each call's
        // output page-faulted afresh (libtorch's layer_norm: 200 ms a call instead of 4); bench_peer.py sets the same.
        env.put("MALLOC_TRIM_THRESHOLD_", Long.toString(1L << 30));
        int maxThreads = selection.threads().stream().mapToInt(Integer::intValue).max().orElse(1);
        env.put("OPENBLAS_NUM_THREADS", Integer.toString(maxThreads));
        env.put("OMP_NUM_THREADS", Integer.toString(maxThreads));
        // OpenMP's idle workers spin by default; on a shared 2-core machine a spinning worker takes the core from
        // the thread that has the next call to make (normkit's or a peer's).
        env.put("OMP_WAIT_POLICY", "PASSIVE");
        List<String> args = arguments(selection, peers, settings);
        List<String> benchmarkJvm = new ArrayList<>(jvmArgs);
        benchmarkJvm.addAll(HEAP);
        BenchReport report = SharedJvm.run(Versus.class, classPath, out -> {
            List<String> a = new ArrayList<>(args);
            a.add("--out");
            a.add(out.toAbsolutePath().toString());
            return a;
        }, benchmarkJvm, env, BenchReport::read, progress);
        return report.withCommit(Commit.describe());
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

    static List<String> arguments(BenchSelection selection, List<String> peers, HeadToHead.Settings settings) {
        return List.of(
                "--norms", String.join(",", selection.norms()),
                "--dtypes", selection.dtypes().stream().map(DType::label).collect(Collectors.joining(",")),
                "--passes", selection.passes().stream().map(BenchPass::id).collect(Collectors.joining(",")),
                "--masks", selection.masks().stream().map(BenchMask::id).collect(Collectors.joining(",")),
                "--threads", selection.threads().stream().map(String::valueOf).collect(Collectors.joining(",")),
                "--peers", String.join(",", peers),
                "--rounds", Integer.toString(settings.rounds()),
                "--samples", Integer.toString(settings.samplesPerRound()),
                "--sample-ms", Double.toString(settings.minSampleMs()),
                "--warmup", Integer.toString(settings.warmupSamples()),
                "--warmup-ms", Double.toString(settings.warmupMs()),
                "--session-warmup-ms", Double.toString(settings.sessionWarmupMs()));
    }

    /** The benchmark JVM: plan, peers, rounds, report. */
    public static void main(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        BenchSelection selection = BenchSelection.all()
                .withNorms(list(a.get("--norms")))
                .withDtypes(list(a.get("--dtypes")).stream().map(DType::parse).toList())
                .withFaces(List.of(Face.FUSED))
                .withPasses(list(a.get("--passes")).stream().map(BenchPass::parse).toList())
                .withMasks(list(a.get("--masks")).stream().map(BenchMask::parse).toList())
                .withThreads(list(a.get("--threads")).stream().map(Integer::parseInt).toList());
        HeadToHead.Settings settings = new HeadToHead.Settings(Integer.parseInt(a.get("--rounds")),
                Integer.parseInt(a.get("--samples")), Double.parseDouble(a.get("--sample-ms")), Integer.parseInt(a.get("--warmup")),
                Double.parseDouble(a.get("--warmup-ms")), Double.parseDouble(a.get("--session-warmup-ms")));
        PrintWriter progress = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        BenchPlan plan = BenchPlan.of(BenchRegistry.get(), selection);
        List<Case> cases = cases(plan);
        int maxThreads = selection.threads().stream().mapToInt(Integer::intValue).max().orElse(1);
        List<Peer> peers = startPeers(list(a.get("--peers")), maxThreads, progress);
        try {
            HeadToHead run = new HeadToHead(settings, NormkitContender::of, peers, progress);
            String loadBefore = loadAverage();
            BenchReport report = run.run(cases, selection.threads(), MachineInfo.current(MachineInfo.thisJvmFlags()));
            List<BenchPlan.Skip> skipped = new ArrayList<>(report.skipped());
            skipped.addAll(plan.skipped());
            new BenchReport(report.machine().withLoad(loadBefore + " at the start, " + loadAverage() + " at the end"),
                    report.commit(), report.settings(), report.threadsHook(), report.batch(), report.peers(),
                    report.results(), skipped, report.specs()).write(Path.of(a.get("--out")));
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
