package org.example.batchrenorm;

import java.util.List;

import org.normkit.testkit.RegisteredNormChecks;

/** Gradcheck, face agreement and contract consistency for batch_renorm: the checks every registered norm inherits. */
class BatchRenormChecksTest extends RegisteredNormChecks {
    @Override
    protected List<String> normNames() {
        return List.of("batch_renorm");
    }
}
