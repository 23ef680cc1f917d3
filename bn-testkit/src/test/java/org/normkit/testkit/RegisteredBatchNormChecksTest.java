package org.normkit.testkit;

/** bn-core's registered norms (the BatchNorms) through the checks every norm inherits. */
class RegisteredBatchNormChecksTest extends RegisteredNormChecks {}
