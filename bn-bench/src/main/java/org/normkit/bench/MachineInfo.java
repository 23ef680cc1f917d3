package org.normkit.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.stream.Stream;

/**
 * Where the figures were measured: the schema's {@code machine} member.
 *
 * @param cpu     the CPU model ({@code /proc/cpuinfo}'s model name, else {@code os.arch})
 * @param cores   processors the JVM sees
 * @param runtime e.g. {@code Java 17.0.15 (OpenJDK 64-Bit Server VM 17.0.15+6-Debian-1deb12u1)}
 * @param flags   the JVM flags of the measuring JVMs and the JMH settings
 * @param date    ISO-8601 with offset, to the second
 */
public record MachineInfo(String cpu, int cores, String runtime, String flags, String date) {

    /** This machine and JVM now, with the given flags. */
    public static MachineInfo current(String flags) {
        return new MachineInfo(cpuModel(), Runtime.getRuntime().availableProcessors(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.vm.version") + ")",
                flags, OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString());
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
