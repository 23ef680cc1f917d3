package org.normkit.bench.versus;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * PyTorch in a Python process: {@code scripts/pytorch/bench_peer.py --serve} answers one timing request a line, so
 * its samples interleave with normkit's in the same session although it runs in another process. While it times,
 * the JVM waits on the pipe, and the other way round: the two sides never compete for the cores.
 *
 * <p>The process is started with {@code OPENBLAS_NUM_THREADS} pinned to the largest thread count asked for (the
 * script sets torch's and OpenBLAS's thread counts before each sample) and glibc's malloc tuned by the script.
 */
public final class PythonPeer implements Peer {
    /** The id on the command line: the PyTorch of the system's Python (Debian's python3-torch). */
    public static final String ID = "pytorch";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final BufferedWriter requests;
    private final BufferedReader replies;
    private final String name;
    private final String describe;

    private PythonPeer(Process process) {
        this.process = process;
        this.requests = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        JsonNode info = ask(Map.of("op", "info"));
        String runtime = info.path("runtime").asText("PyTorch ?");
        String version = runtime.replaceFirst("^PyTorch (\\d+\\.\\d+).*$", "$1");
        this.name = "pytorch-" + version;
        this.describe = runtime + "; " + info.path("flags").asText("");
    }

    /** Starts {@code python script --serve}; fails naming the command when the process does not answer. */
    public static PythonPeer start(String python, Path script, int maxThreads) {
        ProcessBuilder builder = new ProcessBuilder(python, script.toString(), "--serve")
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(maxThreads));
        builder.environment().put("OMP_NUM_THREADS", Integer.toString(maxThreads));
        try {
            return new PythonPeer(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + python + " " + script + " --serve: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public Contender prepare(Case c) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("op", "prepare");
        request.put("norm", c.norm());
        request.put("shape", c.shape().toCompactString());
        request.put("dtype", c.dtype().label());
        request.put("pass", c.pass().id());
        JsonNode reply = ask(request);
        if (reply.has("error")) {
            throw new UnsupportedOperationException(name + ": " + reply.get("error").asText());
        }
        return new Contender() {
            @Override
            public double callMs(int threads, double minMs) {
                return sample("call", threads, minMs);
            }

            @Override
            public double copyMs(int threads, double minMs) {
                return sample("copy", threads, minMs);
            }
        };
    }

    private double sample(String what, int threads, double minMs) {
        JsonNode reply = ask(Map.of("op", "sample", "what", what, "threads", threads, "minMs", minMs));
        if (!reply.has("ms")) {
            throw new IllegalStateException(name + " could not time a " + what + ": " + reply);
        }
        return reply.get("ms").asDouble();
    }

    private synchronized JsonNode ask(Map<String, Object> request) {
        try {
            requests.write(JSON.writeValueAsString(request));
            requests.newLine();
            requests.flush();
            String line = replies.readLine();
            if (line == null) {
                throw new IllegalStateException("the PyTorch peer process ended (exit code "
                        + (process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : "unknown")
                        + "); its error output is above");
            }
            return JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the PyTorch peer answered something that is not JSON: " + e.getMessage(),
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("lost the PyTorch peer process: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the PyTorch peer", e);
        }
    }

    @Override
    public void close() {
        try {
            requests.write("{\"op\": \"quit\"}");
            requests.newLine();
            requests.flush();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
            }
        } catch (IOException e) {
            process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
        }
    }
}
