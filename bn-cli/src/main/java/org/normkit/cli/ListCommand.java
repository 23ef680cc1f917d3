package org.normkit.cli;

import java.io.PrintWriter;

import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormalizationProvider;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code normkit list}: one line per registered normalization. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the registered normalizations (ours and plugins'), one line each: name and summary, "
                + "cut to " + ListCommand.WIDTH + " characters (--full for the whole summaries).")
final class ListCommand implements Runnable {
    /** The longest line list prints without --full: it stays readable in a terminal and in a diff. */
    static final int WIDTH = 100;

    @Option(names = "--full", description = "Print each summary whole, however long.")
    boolean full;

    @ParentCommand
    NormkitCommand parent;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        NormRegistry registry = parent.registry();
        PrintWriter out = spec.commandLine().getOut();
        int width = registry.names().stream().mapToInt(String::length).max().orElse(4);
        for (NormalizationProvider p : registry.providers()) {
            String line = String.format("%-" + width + "s  %s", p.name(), p.summary());
            out.println(full ? line : cut(line));
        }
        if (registry.names().isEmpty()) {
            out.println("(no normalizations registered)");
        }
        out.flush();
    }

    /** {@code line} cut at the last word boundary that leaves room for "…" within {@link #WIDTH}. */
    static String cut(String line) {
        if (line.length() <= WIDTH) {
            return line;
        }
        int end = line.lastIndexOf(' ', WIDTH - 1);
        return line.substring(0, end > 0 ? end : WIDTH - 1).replaceAll("[,;: ]+$", "") + "…";
    }
}
