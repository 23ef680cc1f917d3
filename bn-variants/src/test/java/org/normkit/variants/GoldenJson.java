package org.normkit.variants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON golden files that scripts/pytorch writes for bn-variants' tests (golden.py --masked,
 * golden_new_norms.py --write-power): read from the test class path with their format checked, their arrays as Java
 * arrays.
 */
public final class GoldenJson {
    private GoldenJson() {}

    /**
     * The resource {@code path}, which must say it is {@code format}; a missing file fails naming {@code howToWrite},
     * the command that writes it.
     */
    public static JsonNode read(String path, String format, String howToWrite) throws IOException {
        try (InputStream in = GoldenJson.class.getResourceAsStream(path)) {
            assertNotNull(in, path + " is missing: run " + howToWrite);
            JsonNode doc = new ObjectMapper().readTree(in);
            assertEquals(format, doc.get("format").asText(), path + ": format");
            return doc;
        }
    }

    public static double[] doubles(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }

    public static int[] ints(JsonNode array) {
        int[] v = new int[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asInt();
        }
        return v;
    }
}
