package org.example.rmsnorm;

import java.util.List;

import org.normkit.testkit.RegisteredNormChecks;

/** Gradcheck, face agreement and contract consistency for rms_norm: the checks every registered norm inherits. */
class RmsNormChecksTest extends RegisteredNormChecks {
    @Override
    protected List<String> normNames() {
        return List.of("rms_norm");
    }
}
