package org.normkit.cli;

import java.io.PrintWriter;

import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormalizationProvider;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code normkit list}: one line per registered normalization. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the registered normalizations (ours and plugins'), one line each: name and summary.")
final class ListCommand implements Runnable {
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
            out.printf("%-" + width + "s  %s%n", p.name(), p.summary());
        }
        if (registry.names().isEmpty()) {
            out.println("(no normalizations registered)");
        }
        out.flush();
    }
}
