package org.normkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import picocli.CommandLine;

class HelpTest {
    private static final List<String> COMMANDS = List.of("list", "conformance", "gradcheck", "verify", "bench",
            "experiment", "sweep");

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Normkit.run(args, new PrintWriter(out), new PrintWriter(err));
        return new String[] {Integer.toString(exit), out.toString(), err.toString()};
    }

    @Nested
    class Usage {

        @ParameterizedTest
        @ValueSource(strings = {"list", "conformance", "gradcheck", "verify", "bench", "experiment", "sweep"})
        void placeholdersAreUpperCaseWordsNeverJavaFieldNames(String command) {
            String help = run(command, "--help")[1];

            assertFalse(help.contains("=<"), help);
        }

        @ParameterizedTest
        @ValueSource(strings = {"list", "conformance", "gradcheck", "verify", "bench", "experiment", "sweep"})
        void wrappingNeverSplitsAWordAtItsDot(String command) {
            String help = run(command, "--help")[1] + run("--help")[1];
            // "torch.\n      set_num_threads": a line ending in a word and a dot, the next going on in lower case.
            Matcher split = Pattern.compile("[A-Za-z_]{2,}\\.\\n\\s{4,}[a-z_]").matcher(help);

            assertFalse(split.find(), () -> "split at: " + help.substring(Math.max(0, split.start() - 40),
                    Math.min(help.length(), split.end() + 20)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"list", "conformance", "gradcheck", "verify", "bench", "experiment", "sweep"})
        void everyDescriptionIsAValidFormatStringSoPicocliPrintsNoWarning(String command) {
            // picocli formats descriptions with String.format: a lone '%' makes it warn on System.err, around our
            // writers, and print the text raw.
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            PrintStream original = System.err;
            String help;
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                help = run(command, "--help")[1];
            } finally {
                System.setErr(original);
            }

            assertEquals("", captured.toString(StandardCharsets.UTF_8));
            assertFalse(help.contains("%n"), help);
        }

        @Test
        void helpAsACommandPrintsTheUsageOfTheCommandNamed() {
            String[] top = run("help");
            String[] experiment = run("help", "experiment");

            assertEquals("0", top[0], top[2]);
            assertTrue(top[1].startsWith("Usage: normkit"), top[1]);
            assertTrue(experiment[1].startsWith("Usage: normkit experiment"), experiment[1]);
        }
    }

    @Nested
    class List_ {

        @Test
        void everyLineFitsInAHundredCharacters() {
            String[] list = run("list");

            assertEquals("0", list[0], list[2]);
            list[1].lines().forEach(line -> assertTrue(line.length() <= ListCommand.WIDTH, line));
        }

        @Test
        void fullPrintsTheWholeSummaries() {
            assertTrue(run("list", "--full")[1].lines().anyMatch(line -> line.length() > ListCommand.WIDTH));
        }
    }

    @Nested
    class Readme {

        @Test
        void theCommandTableNamesEveryOptionOfEveryCommand() throws IOException {
            String readme = Files.readString(Path.of("").toAbsolutePath().getParent().resolve("README.md"));
            String table = readme.substring(readme.indexOf("## The command"), readme.indexOf("## Conformance"));
            CommandLine cli = new CommandLine(new NormkitCommand());
            for (String command : COMMANDS) {
                for (CommandLine.Model.OptionSpec option : cli.getSubcommands().get(command).getCommandSpec()
                        .options()) {
                    String name = option.longestName();
                    if (!List.of("--help", "--version", "--debug", "--plugins").contains(name)) {
                        assertTrue(table.contains(name), command + " " + name + " is missing from the README table");
                    }
                }
            }
        }
    }
}
