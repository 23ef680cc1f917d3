package org.normkit.core.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.normkit.autograd.check.Tolerance;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Reads files in the {@code bn-conformance/1} format, specified in {@code docs/conformance-format.md}. A file with another {@code format} is refused;
 * members the format does not define are ignored, at any level, so later versions can add informative fields. A
 * missing member, a wrong type, a data length that does not fill the shape or an unknown dtype is a
 * {@link ConformanceFormatException} naming the file, the case and the member. Numbers are parsed as binary64 (Jackson
 * uses the correctly rounded {@link Double#parseDouble}) and narrowed to binary32 in float32 cases, both exact for
 * the values the format allows.
 */
public final class ConformanceReader {
    /** The one format this reader reads. */
    public static final String FORMAT = "bn-conformance/1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConformanceReader() {}

    public static ConformanceFile read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new ConformanceFormatException("cannot read " + file + ": no such file", e);
        } catch (IOException e) {
            throw new ConformanceFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads from a stream; {@code source} names it in messages. */
    public static ConformanceFile read(InputStream in, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
            // JSON has no NaN or Infinity; the parser's own message names its switches, which are not the reader's.
            if (String.valueOf(e.getOriginalMessage()).startsWith("Non-standard token")) {
                throw new ConformanceFormatException(source + " holds NaN or Infinity" + where + ", which "
                        + FORMAT + " does not allow: every value must be a finite JSON number (a generator must "
                        + "leave out cases whose values are not finite)", e);
            }
            throw new ConformanceFormatException(source + " is not valid JSON: " + e.getOriginalMessage() + where, e);
        } catch (IOException e) {
            throw new ConformanceFormatException("cannot read " + source + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConformanceFormatException(source + ": expected one JSON object with the members format, "
                    + "generator and cases");
        }
        Members top = new Members(source, "", root);
        String format = top.text("format");
        if (!FORMAT.equals(format)) {
            throw new ConformanceFormatException(source + ": format '" + format + "' is not supported: this reader "
                    + "reads " + FORMAT + " only");
        }
        String generator = top.nullableText("generator");
        JsonNode cases = top.array("cases");
        List<ConformanceCase> read = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode node = cases.get(i);
            if (!node.isObject()) {
                throw new ConformanceFormatException(source + ": case #" + (i + 1) + " is not an object");
            }
            String name = new Members(source + ": case #" + (i + 1), "", node).text("name");
            if (!names.add(name)) {
                throw new ConformanceFormatException(source + ": case names must be unique, '" + name
                        + "' appears twice");
            }
            read.add(readCase(new Members(source + ": case '" + name + "'", "", node), name));
        }
        return new ConformanceFile(source, generator, List.copyOf(read));
    }

    private static ConformanceCase readCase(Members c, String name) {
        String norm = c.text("norm");
        String mode = c.text("mode");
        if (!mode.equals("train") && !mode.equals("eval")) {
            throw c.error("mode", "is '" + mode + "': expected train or eval");
        }
        String dtypeText = c.text("dtype");
        DType dtype;
        switch (dtypeText.toLowerCase(Locale.ROOT)) {
            case "float32": dtype = DType.FLOAT32; break;
            case "float64": dtype = DType.FLOAT64; break;
            default: throw c.error("dtype", "is '" + dtypeText + "': expected float32 or float64");
        }
        String description = c.nullableText("description");
        Members p = c.object("params");
        boolean momentumGiven = p.has("momentum");
        OptionalDouble momentum = momentumGiven && !p.isNull("momentum")
                ? OptionalDouble.of(p.number("momentum")) : OptionalDouble.empty();
        OptionalInt numGroups = p.has("numGroups") ? OptionalInt.of(p.integer("numGroups", 1)) : OptionalInt.empty();
        int[] normalizedShape = p.has("normalizedShape") ? p.sizes("normalizedShape") : null;
        Map<String, String> options = p.has("options") ? p.object("options").strings() : Map.of();
        ConformanceCase.Params params = new ConformanceCase.Params(p.number("eps"), p.bool("affine"),
                p.bool("trackRunningStats"), momentumGiven, momentum, numGroups, normalizedShape, options);

        Tensor input = c.tensor("input", dtype);
        Tensor weight = c.nullableTensor("weight", dtype);
        Tensor bias = c.nullableTensor("bias", dtype);
        ConformanceCase.State state = readState(c, "state", dtype);
        Tensor gradOutput = c.nullableTensor("gradOutput", dtype);
        Members e = c.object("expected");
        ConformanceCase.Expected expected = new ConformanceCase.Expected(e.tensor("output", dtype),
                e.nullableTensor("gradInput", dtype), e.nullableTensor("gradWeight", dtype),
                e.nullableTensor("gradBias", dtype), readState(e, "state", dtype));
        Members t = c.object("tolerance");
        double abs = t.number("abs");
        double rel = t.number("rel");
        if (!(abs >= 0) || !(rel >= 0)) {
            throw c.error("tolerance", "has abs " + abs + " and rel " + rel + ": both must be >= 0");
        }
        return new ConformanceCase(name, norm, mode.equals("train"), dtype, description, params, input, weight, bias,
                state, gradOutput, expected, new Tolerance(abs, rel));
    }

    private static ConformanceCase.State readState(Members parent, String key, DType dtype) {
        if (parent.isNull(key)) {
            parent.require(key);
            return null;
        }
        Members s = parent.object(key);
        return new ConformanceCase.State(s.tensor("runningMean", dtype), s.tensor("runningVar", dtype),
                s.integer("numBatchesTracked", 0));
    }

    /** Typed access to an object's members, with errors naming where the member sits. */
    private static final class Members {
        private final String where;
        private final String prefix;
        private final JsonNode node;

        Members(String where, String prefix, JsonNode node) {
            this.where = where;
            this.prefix = prefix;
            this.node = node;
        }

        ConformanceFormatException error(String key, String problem) {
            return new ConformanceFormatException(where + ": member '" + prefix + key + "' " + problem);
        }

        boolean has(String key) {
            return node.has(key);
        }

        boolean isNull(String key) {
            return !node.has(key) || node.get(key).isNull();
        }

        JsonNode require(String key) {
            if (!node.has(key)) {
                throw error(key, "is missing");
            }
            return node.get(key);
        }

        String text(String key) {
            JsonNode v = require(key);
            if (!v.isTextual()) {
                throw error(key, "must be a string, got " + v);
            }
            return v.textValue();
        }

        String nullableText(String key) {
            JsonNode v = require(key);
            return v.isNull() ? null : v.isTextual() ? v.textValue() : v.toString();
        }

        double number(String key) {
            JsonNode v = require(key);
            if (!v.isNumber()) {
                throw error(key, "must be a number, got " + v);
            }
            return v.doubleValue();
        }

        boolean bool(String key) {
            JsonNode v = require(key);
            if (!v.isBoolean()) {
                throw error(key, "must be true or false, got " + v);
            }
            return v.booleanValue();
        }

        int integer(String key, int min) {
            JsonNode v = require(key);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min) {
                throw error(key, "must be an integer >= " + min + ", got " + v);
            }
            return v.intValue();
        }

        JsonNode array(String key) {
            JsonNode v = require(key);
            if (!v.isArray()) {
                throw error(key, "must be an array, got " + abbreviate(v));
            }
            return v;
        }

        Members object(String key) {
            JsonNode v = require(key);
            if (!v.isObject()) {
                throw error(key, "must be an object, got " + abbreviate(v));
            }
            return new Members(where, prefix + key + ".", v);
        }

        /** Every member of this object as text: strings as they are, numbers and booleans as JSON writes them. */
        Map<String, String> strings() {
            Map<String, String> values = new TreeMap<>();
            node.fields().forEachRemaining(member -> {
                JsonNode v = member.getValue();
                if (!v.isValueNode() || v.isNull()) {
                    throw error(member.getKey(), "must be a string, number or boolean, got " + abbreviate(v));
                }
                values.put(member.getKey(), v.asText());
            });
            return values;
        }

        int[] sizes(String key) {
            JsonNode v = array(key);
            int[] sizes = new int[v.size()];
            for (int i = 0; i < sizes.length; i++) {
                JsonNode d = v.get(i);
                if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 1) {
                    throw error(key, "must list integers >= 1, got " + v);
                }
                sizes[i] = d.intValue();
            }
            return sizes;
        }

        Tensor nullableTensor(String key, DType dtype) {
            return require(key).isNull() ? null : tensor(key, dtype);
        }

        Tensor tensor(String key, DType dtype) {
            Members t = object(key);
            int[] dims = t.sizes("shape");
            if (dims.length == 0) {
                throw t.error("shape", "is empty: no tensor in the format is a scalar");
            }
            long count = 1;
            for (int d : dims) {
                count *= d;
            }
            JsonNode data = t.array("data");
            if (data.size() != count) {
                throw t.error("data", "has " + data.size() + " values but shape " + java.util.Arrays.toString(dims)
                        + " needs " + count);
            }
            double[] values = new double[data.size()];
            for (int i = 0; i < values.length; i++) {
                JsonNode v = data.get(i);
                if (!v.isNumber()) {
                    throw t.error("data", "holds a non-number at index " + i + ": " + v);
                }
                values[i] = v.doubleValue();
            }
            return Tensor.of(dtype, values, Shape.of(dims));
        }

        private static String abbreviate(JsonNode v) {
            String s = v.toString();
            return s.length() > 60 ? s.substring(0, 57) + "..." : s;
        }
    }
}
