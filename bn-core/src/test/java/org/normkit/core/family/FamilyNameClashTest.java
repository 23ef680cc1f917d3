package org.normkit.core.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.spi.ProviderDiscovery;
import org.normkit.core.batch.BatchNorm;

/**
 * A family whose names clash with another's is reported with the classes their authors wrote, not with the registry
 * entry helper that stands for a family's later members.
 */
class FamilyNameClashTest {

    /** Declares BatchNorm's four names a second time. */
    public static final class SecondBatchNorm extends BatchNorm {}

    @Test
    void aClashOfFamilyMembersNamesBothDeclaringClasses(@TempDir Path dir) throws IOException {
        Path services = dir.resolve(ProviderDiscovery.SERVICE_FILE);
        Files.createDirectories(services.getParent());
        Files.writeString(services, SecondBatchNorm.class.getName() + "\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            List<String> problems = ProviderDiscovery.on(loader).problems();

            String clash = problems.stream().filter(p -> p.startsWith("duplicate normalization name 'batch_norm2d'"))
                    .findFirst().orElseThrow(() -> new AssertionError("no clash reported: " + problems));
            assertTrue(clash.contains(": " + BatchNorm.class.getName() + " ("), clash);
            assertTrue(clash.contains(" and " + SecondBatchNorm.class.getName() + " ("), clash);
            assertFalse(clash.contains("FamilyEntry"), clash);
            assertEquals(4, problems.size(), "one line per clashing name: " + problems);
        }
    }
}
