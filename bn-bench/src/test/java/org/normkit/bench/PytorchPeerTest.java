package org.normkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.tensor.DType;

class PytorchPeerTest {
    @TempDir
    Path dir;

    @Test
    void theScriptIsFoundByWalkingUpFromAStartPoint() throws IOException {
        Path script = dir.resolve(PytorchPeer.SCRIPT);
        Files.createDirectories(script.getParent());
        Files.writeString(script, "# peer\n");
        Path deep = Files.createDirectories(dir.resolve("bn-cli/target"));
        assertEquals(Optional.of(script), PytorchPeer.locate(List.of(Files.createDirectories(dir.resolve("elsewhere"))
                .resolve("nothing-here"), deep)));
    }

    @Test
    void noScriptAboveTheStartPointsIsEmpty() throws IOException {
        assertEquals(Optional.empty(), PytorchPeer.locate(List.of(Files.createDirectories(dir.resolve("a/b")))));
    }

    @Test
    void theNormsThePeerKnowsAreReadFromItsRefusal() {
        List<String> output = List.of("usage: bench_peer.py [-h] [--quick]",
                "bench_peer.py: error: unknown norm 'toy_row_norm'; known: batch_norm2d, batch_norm1d, group_norm, "
                        + "instance_norm2d, layer_norm");
        assertEquals(List.of("batch_norm2d", "batch_norm1d", "group_norm", "instance_norm2d", "layer_norm"),
                PytorchPeer.knownNorms(output));
        assertEquals(List.of(), PytorchPeer.knownNorms(List.of("Traceback (most recent call last):")));
    }

    @Test
    void theCommandLinePassesTheSelection() {
        BenchSelection s = BenchSelection.all().withDtypes(List.of(DType.FLOAT32)).withThreads(List.of(1))
                .withPasses(List.of(BenchPass.EVAL_FORWARD));
        List<String> c = PytorchPeer.command("/usr/bin/python3", Path.of("bench_peer.py"),
                List.of("batch_norm2d", "layer_norm"), s, true, Path.of("/tmp/p.json"));
        assertEquals(List.of("/usr/bin/python3", "bench_peer.py", "--out", "/tmp/p.json", "--norms",
                "batch_norm2d,layer_norm", "--dtypes", "float32", "--threads", "1", "--passes", "eval_forward",
                "--quick"), c);
    }

    @Test
    void anInterpreterThatIsNotThereIsPassedOver() {
        assertTrue(PytorchPeer.interpreterWithTorch(List.of(dir.resolve("no-python").toString())).isEmpty());
    }
}
