package org.normkit.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where the figures were measured: the schema's {@code machine} member.
 *
 * @param cpu     the CPU model ({@code /proc/cpuinfo}'s model name, else {@code os.arch})
 * @param cores   processors the JVM sees
 * @param runtime e.g. {@code Java 17.0.15 (OpenJDK 64-Bit Server VM 17.0.15+6-Debian-1deb12u1)}
 * @param flags   the JVM flags of the measuring JVMs and the JMH settings
 * @param date    ISO-8601 with offset, to the second
 * @param load    how busy the shared machine was ({@code /proc/loadavg} at the start and the end of a head-to-head
 *                run); null when not recorded
 */
public record MachineInfo(String cpu, int cores, String runtime, String flags, String date,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String load) {

    /** The one line the head-to-head report held before it became a {@link BenchReport}. */
    private static final Pattern ONE_LINE = Pattern.compile(
            "(.+?), (\\d+) cores; (Java [^,]+), (.*?)(?:; load average \\(1, 5, 15 min\\) (.*))?");

    /** This machine and JVM now, with the given flags. */
    public static MachineInfo current(String flags) {
        return new MachineInfo(cpuModel(), Runtime.getRuntime().availableProcessors(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.vm.version") + ")",
                flags, OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString(), null);
    }

    /**
     * The machine of a head-to-head report written before the one report model, which held it as one line
     * ({@code AMD EPYC, 2 cores; Java 17.0.15, FLAGS; load average (1, 5, 15 min) …}): {@link #describe} gives that
     * line back. A line of another form is kept whole as the CPU.
     */
    static MachineInfo fromLine(String line, String date) {
        Matcher m = ONE_LINE.matcher(line);
        if (!m.matches()) {
            return new MachineInfo(line, 0, null, null, date, null);
        }
        return new MachineInfo(m.group(1), Integer.parseInt(m.group(2)), m.group(3), m.group(4), date, m.group(5));
    }

    /** This machine with the load average recorded. */
    public MachineInfo withLoad(String l) {
        return new MachineInfo(cpu, cores, runtime, flags, date, l);
    }

    /** One line: {@code CPU, N cores; RUNTIME, FLAGS[; load average (1, 5, 15 min) LOAD]}. */
    public String describe() {
        if (runtime == null) {
            return cpu;
        }
        return cpu + ", " + cores + " cores; " + runtime + ", " + flags
                + (load == null ? "" : "; load average (1, 5, 15 min) " + load);
    }

    /** The flags this JVM was started with, space-separated. */
    public static String thisJvmFlags() {
        return String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    static String cpuModel() {
        Path info = Path.of("/proc/cpuinfo");
        if (Files.isReadable(info)) {
            try (Stream<String> lines = Files.lines(info)) {
                var model = lines.filter(l -> l.startsWith("model name")).findFirst();
                if (model.isPresent()) {
                    return model.get().substring(model.get().indexOf(':') + 1).trim();
                }
            } catch (IOException | RuntimeException e) {
                // Fall through to the architecture: the model is a courtesy, not a requirement.
            }
        }
        return System.getProperty("os.arch");
    }
}
