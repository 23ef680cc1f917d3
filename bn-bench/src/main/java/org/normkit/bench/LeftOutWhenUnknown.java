package org.normkit.bench;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A figure of a {@link BenchResult} that JSON leaves out when it is NaN: unknown, or a figure of the other benchmark
 * kind (a training row has no copy baseline, a kernel row no samples per second), so a row's JSON holds the figures
 * it has. {@link ReportJson} reads a missing figure back as NaN.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
@JacksonAnnotationsInside
@JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = LeftOutWhenUnknown.Filter.class)
@interface LeftOutWhenUnknown {

    /** Jackson's value filter: a value it equals is left out, and it equals NaN and the infinities. */
    final class Filter {
        @Override
        public boolean equals(Object value) {
            return value instanceof Double d && !Double.isFinite(d);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
