package org.normkit.cli;

import java.io.PrintWriter;

import com.google.inject.Module;
import com.google.inject.util.Modules;

import picocli.CommandLine;

/** Entry point of the {@code normkit} command. */
public final class Normkit {
    private Normkit() {}

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns its exit code; used by {@link #main} and by tests. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, Modules.EMPTY_MODULE);
    }

    /**
     * Runs the command line with some of the application's parts replaced: {@code parts} overrides the bindings
     * of {@link org.normkit.cli.wiring.NormkitModule} (another data source, an extra norm, ...).
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Module parts) {
        System.setProperty("java.awt.headless", "true");
        NormkitCommand top = new NormkitCommand();
        top.commandLine(args);
        top.overrideParts(parts);
        CommandLine cli = new CommandLine(top);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (top.debug()) {
                e.printStackTrace(commandLine.getErr());
            } else {
                commandLine.getErr().println("normkit: error: " + oneLine(e)
                        + "  (run with --debug for the stack trace)");
            }
            commandLine.getErr().flush();
            return 1;
        });
        return cli.execute(args);
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        return message.replace('\n', ' ');
    }
}
