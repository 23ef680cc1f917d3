package org.normkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** The command line of {@code normkit bench}; the suite itself is tested in bn-bench. */
class BenchCommandTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Normkit.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void listsGivenOnTheCommandLineReplaceTheDefaults() {
        NormkitCommand top = new NormkitCommand();
        CommandLine cli = new CommandLine(top);
        CommandLine.ParseResult parsed = cli.parseArgs("bench", "--dtypes", "float64", "--threads", "2",
                "--passes", "eval_forward");
        BenchCommand bench = (BenchCommand) parsed.subcommand().commandSpec().userObject();
        assertEquals(List.of("float64"), bench.dtypes);
        assertEquals(List.of(2), bench.threads);
        assertEquals(List.of("eval_forward"), bench.passes);
        assertEquals(List.of("reference", "fused"), bench.faces);
    }

    @Test
    void anUnknownPeerIsAnError() {
        String[] r = run("bench", "--peer", "tensorflow");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("unknown peer 'tensorflow'"), r[2]);
    }

    @Test
    void forksDoNotGoWithQuick() {
        String[] r = run("bench", "--quick", "--forks", "2");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("--forks does not go with --quick"), r[2]);
    }

    @Test
    void anUnknownNormIsAnErrorThatNamesIt() {
        String[] r = run("bench", "--quick", "--norms", "no_such_norm");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("unknown normalization 'no_such_norm'"), r[2]);
    }

    @Test
    void netsGoWithTraining() {
        String[] r = run("bench", "--quick", "--nets", "mlp");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("--nets chooses the nets of --training"), r[2]);
    }

    @Test
    void trainingTakesNeitherDtypesNorPassesNorAPeer() {
        for (String[] extra : new String[][] {{"--dtypes", "float64"}, {"--passes", "eval_forward"},
            {"--peer", "pytorch"}}) {
            String[] r = run("bench", "--training", "--quick", extra[0], extra[1]);
            assertEquals("1", r[0]);
            assertTrue(r[2].contains(extra[0] + " does not go with --training"), r[2]);
        }
    }

    @Test
    void trainingNamesAnUnknownNet() {
        String[] r = run("bench", "--training", "--quick", "--nets", "resnet");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("unknown net 'resnet'"), r[2]);
    }

    @Test
    void theMaskAxisIsUnmaskedUnlessAsked() {
        NormkitCommand top = new NormkitCommand();
        CommandLine cli = new CommandLine(top);
        BenchCommand plain = (BenchCommand) cli.parseArgs("bench").subcommand().commandSpec().userObject();
        assertEquals(List.of("none"), plain.masks);
        BenchCommand both = (BenchCommand) new CommandLine(new NormkitCommand()).parseArgs("bench", "--masks",
                "none,padded").subcommand().commandSpec().userObject();
        assertEquals(List.of("none", "padded"), both.masks);
    }

    @Test
    void masksGoWithTheKernelsAndThePeersButNotWithTraining() {
        String[] training = run("bench", "--training", "--quick", "--masks", "padded");
        assertEquals("1", training[0]);
        assertTrue(training[2].contains("--masks does not go with --training"), training[2]);
        String[] unknown = run("bench", "--quick", "--masks", "ragged");
        assertEquals("1", unknown[0]);
        assertTrue(unknown[2].contains("unknown mask 'ragged': expected one of none, padded"), unknown[2]);
    }

    @Test
    void facesDoNotGoWithAPeerWhichComparesTheFusedFace() {
        String[] r = run("bench", "--quick", "--peer", "pytorch", "--faces", "reference", "--norms", "group_norm",
                "--no-verify");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("--faces does not go with --peer, which compares the fused face"), r[2]);
    }
}
