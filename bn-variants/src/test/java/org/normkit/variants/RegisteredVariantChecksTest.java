package org.normkit.variants;

import org.normkit.testkit.RegisteredNormChecks;

/** Every registered norm, bn-variants' own included, through the checks every norm inherits (gradcheck, faces). */
class RegisteredVariantChecksTest extends RegisteredNormChecks {}
