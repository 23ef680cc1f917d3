package org.normkit.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Where {@code normkit bench --peer} finds its PyTorch peers: the script {@value #SCRIPT} (Debian's PyTorch 1.13) and
 * the optional bn-pytorch module's files, found by walking up from this code's jar or classes folder and from the
 * working directory; and a Python that imports torch, {@code /usr/bin/python3} first (the system Python), then
 * {@code python3} on the path.
 */
public final class PeerLookup {
    public static final String SCRIPT = "scripts/pytorch/bench_peer.py";
    public static final List<String> INTERPRETERS = List.of("/usr/bin/python3", "python3");

    private PeerLookup() {}

    /** The first {@value #SCRIPT} found walking up from each start point. */
    static Optional<Path> locate(List<Path> startPoints) {
        return locate(startPoints, SCRIPT);
    }

    /** The first file at {@code relative} found walking up from each start point. */
    static Optional<Path> locate(List<Path> startPoints, String relative) {
        for (Path start : startPoints) {
            for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(relative);
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** The folder of this code's jar (or classes folder), then the working directory. */
    static List<Path> startPoints() {
        Set<Path> points = new LinkedHashSet<>();
        try {
            var source = PeerLookup.class.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null) {
                Path location = Path.of(source.getLocation().toURI());
                points.add(Files.isDirectory(location) ? location : location.getParent());
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            // Not a file location (a custom class loader): the working directory remains.
        }
        points.add(Path.of("").toAbsolutePath());
        return List.copyOf(points);
    }

    /** The first interpreter that runs {@code import torch}. */
    static Optional<String> interpreterWithTorch(List<String> candidates) {
        for (String python : candidates) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return Optional.of(python);
                }
                p.destroy();
            } catch (IOException e) {
                // Not installed: try the next one.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
