package org.normkit.core.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;

class ConformanceReaderTest {

    static String workedExample() {
        try (InputStream in = ConformanceReaderTest.class.getResourceAsStream("/conformance/bn-worked-example.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static ConformanceFile read(String json) {
        return ConformanceReader.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "cases.json");
    }

    private static String error(String json) {
        return assertThrows(ConformanceFormatException.class, () -> read(json)).getMessage();
    }

    @Test
    void readsTheWorkedExample() {
        ConformanceFile file = read(workedExample());
        assertEquals(3, file.cases().size());
        ConformanceCase c = file.cases().get(0);
        assertEquals("bn-worked-example", c.name());
        assertEquals("batch", c.norm());
        assertTrue(c.training());
        assertEquals(DType.FLOAT64, c.dtype());
        assertEquals(Shape.of(4, 1), c.input().shape());
        assertArrayEquals(new double[] {1, 2, 3, 4}, c.input().toDoubleArray());
        assertEquals(0.1, c.params().momentum().getAsDouble());
        assertTrue(c.params().momentumGiven());
        assertEquals(0, c.state().numBatchesTracked());
        assertEquals(1, c.expected().state().numBatchesTracked());
        assertEquals(1e-9, c.tolerance().abs());
        assertEquals(DType.FLOAT32, file.cases().get(2).dtype());
        assertEquals(DType.FLOAT32, file.cases().get(2).input().dtype());
    }

    @Test
    void refusesAnotherFormat() {
        assertEquals("cases.json: format 'bn-conformance/2' is not supported: this reader reads bn-conformance/1 only",
                error(workedExample().replace("bn-conformance/1", "bn-conformance/2")));
    }

    @Test
    void ignoresMembersItDoesNotKnowAtAnyLevel() {
        String json = workedExample().replaceFirst("\\{", "{\"addedLater\": [1, {\"x\": 2}],")
                .replace("\"params\": {", "\"params\": {\"futureKnob\": true,")
                .replace("\"expected\": {", "\"expected\": {\"gradSomethingElse\": null,");
        assertEquals(3, read(json).cases().size());
    }

    @Test
    void aMissingMemberNamesTheCaseAndTheMember() {
        String json = workedExample().replaceFirst("\"gradOutput\"", "\"gradOutputRenamed\"");
        assertEquals("cases.json: case 'bn-worked-example': member 'gradOutput' is missing", error(json));
        String nested = workedExample().replaceFirst("\"numBatchesTracked\": 0", "\"count\": 0");
        assertEquals("cases.json: case 'bn-worked-example': member 'state.numBatchesTracked' is missing",
                error(nested));
    }

    @Test
    void dataThatDoesNotFillTheShapeNamesTheMember() {
        String json = workedExample().replaceFirst("\"shape\": \\[\\s*4,\\s*1\\s*\\]", "\"shape\": [2, 3]");
        assertEquals("cases.json: case 'bn-worked-example': member 'input.data' has 4 values but shape [2, 3] needs 6",
                error(json));
    }

    @Test
    void anUnknownDtypeNamesTheChoices() {
        String json = workedExample().replaceFirst("\"float64\"", "\"float16\"");
        assertEquals("cases.json: case 'bn-worked-example': member 'dtype' is 'float16': expected float32 or float64",
                error(json));
    }

    @Test
    void nullsStayNull() {
        String json = workedExample().replaceFirst("\"gradOutput\": \\{[^}]*\\}", "\"gradOutput\": null");
        ConformanceCase c = read(json).cases().get(0);
        assertNull(c.gradOutput());
        assertFalse(c.expected().gradInput() == null);
    }

    @Test
    void invalidJsonSaysWhere() {
        String message = error("{\"format\": \"bn-conformance/1\",\n \"cases\": [}");
        assertTrue(message.startsWith("cases.json is not valid JSON"), message);
        assertTrue(message.contains("line 2"), message);
    }

    @Test
    void caseNamesAreUnique() {
        String json = workedExample().replace("\"bn-worked-example-eval\"", "\"bn-worked-example\"");
        assertEquals("cases.json: case names must be unique, 'bn-worked-example' appears twice", error(json));
    }
}
