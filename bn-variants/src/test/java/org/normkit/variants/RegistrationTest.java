package org.normkit.variants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.NormRegistry;

/** bn-variants' norms are found through META-INF/services like a plugin's, each with a one-line summary and paper. */
class RegistrationTest {
    private static final NormRegistry REGISTRY = NormRegistry.loadDefault();
    private static final List<String> OURS = List.of("group_norm", "instance_norm", "instance_norm1d",
            "instance_norm2d", "instance_norm3d", "layer_norm");

    @Test
    void everyVariantIsRegisteredWithoutProblems() {
        assertEquals(List.of(), REGISTRY.loadProblems());
        // RegisteredVariantChecksTest checks every registered name, so these names are what it covers.
        assertTrue(REGISTRY.names().containsAll(OURS), "registered: " + REGISTRY.names());
    }

    @Test
    void summariesNameThePaper() {
        assertTrue(REGISTRY.get("layer_norm").summary().endsWith("(Ba, Kiros & Hinton 2016)"));
        assertTrue(REGISTRY.get("group_norm").summary().endsWith("(Wu & He 2018)"));
        for (String name : List.of("instance_norm", "instance_norm1d", "instance_norm2d", "instance_norm3d")) {
            assertTrue(REGISTRY.get(name).summary().endsWith("(Ulyanov, Vedaldi & Lempitsky 2016)"), name);
        }
    }
}
