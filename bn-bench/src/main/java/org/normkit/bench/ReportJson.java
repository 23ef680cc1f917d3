package org.normkit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import org.normkit.autograd.io.AtomicFiles;

/**
 * The JSON form of every benchmark report ({@link BenchReport}: kernel, training and head-to-head) and of the
 * {@link BenchJob} a benchmark JVM is handed: Jackson maps the records member for member, so a report's JSON is
 * its record, and no report has a writer or reader of its own. Durations are ISO-8601 strings ({@code PT0.5S}).
 *
 * <p>One rule for all: an unknown number (NaN, infinite) is written as {@code null} (a {@link BenchResult} leaves it
 * out) and read back as NaN; members a
 * reader does not know are passed over; members a report marks required ({@code machine}, {@code results}) must be
 * there. Files are written atomically ({@link AtomicFiles}): an interrupted run never leaves half a file.
 */
public final class ReportJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(new SimpleModule("unknown numbers are null")
                    .addSerializer(Double.class, new UnknownAsNull())
                    .addSerializer(Double.TYPE, new UnknownAsNull())
                    .addDeserializer(Double.class, new NullAsUnknown())
                    .addDeserializer(Double.TYPE, new NullAsUnknown())
                    .addSerializer(Duration.class, new ToStringSerializer(Duration.class))
                    .addDeserializer(Duration.class, new FromStringDeserializer<Duration>(Duration.class) {
                        @Override
                        protected Duration _deserialize(String value, DeserializationContext context) {
                            return Duration.parse(value);
                        }
                    }));

    private ReportJson() {}

    /** Writes {@code report} (a report record) atomically: a temporary file, then a move. */
    public static void write(Path target, Object report) {
        AtomicFiles.writeString(target, toJson(report) + "\n");
    }

    public static String toJson(Object report) {
        try {
            return MAPPER.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the " + report.getClass().getSimpleName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Reads a report of {@code type} written by {@link #write}; a file that is not one names the file and why. */
    public static <T> T read(Path file, Class<T> type) {
        String json;
        try {
            json = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(json, type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static <T> T parse(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    private static final class UnknownAsNull extends JsonSerializer<Double> {
        @Override
        public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws IOException {
            if (Double.isFinite(value)) {
                out.writeNumber(value);
            } else {
                out.writeNull();
            }
        }
    }

    /** Numbers as numbers, {@code null} and the strings older files hold ("NaN") as what they say. */
    private static final class NullAsUnknown extends JsonDeserializer<Double> {
        @Override
        public Double deserialize(JsonParser in, DeserializationContext context) throws IOException {
            if (in.currentToken() == JsonToken.VALUE_STRING) {
                try {
                    return Double.parseDouble(in.getText());
                } catch (NumberFormatException e) {
                    return (Double) context.handleWeirdStringValue(Double.class, in.getText(), "not a number");
                }
            }
            return in.getDoubleValue();
        }

        @Override
        public Double getNullValue(DeserializationContext context) {
            return Double.NaN;
        }
    }
}
