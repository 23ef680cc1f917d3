package org.normkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

class GradcheckCommandTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new NormkitCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void orderTwoStatesTheFusedFacesPathAndChecksBothFaces() {
        String[] result = run("gradcheck", "layer_norm", "--order", "2", "--no-faces", "--shape", "2x3");
        assertEquals("0", result[0], result[1] + result[2]);
        assertTrue(result[1].contains("note layer_norm: the fused face hands second order to the reference face"),
                result[1]);
        assertTrue(result[1].contains("ok   gradcheck --order 2 layer_norm (2, 3) train reference face"), result[1]);
        assertTrue(result[1].contains("ok   gradcheck --order 2 layer_norm (2, 3) eval fused face"), result[1]);
        assertTrue(result[1].trim().endsWith("6 passed, 0 failed"), result[1]);
    }

    @Test
    void anOrderOtherThanOneOrTwoIsNamed() {
        String[] result = run("gradcheck", "layer_norm", "--order", "3");
        assertEquals("2", result[0]);
        assertTrue(result[2].contains("--order must be 1 or 2, got 3"), result[2]);
    }
}
