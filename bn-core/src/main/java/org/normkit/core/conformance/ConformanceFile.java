package org.normkit.core.conformance;

import java.util.List;

/** A read {@code bn-conformance/1} file: where it came from, its generator line and its cases in file order. */
public record ConformanceFile(String source, String generator, List<ConformanceCase> cases) {}
