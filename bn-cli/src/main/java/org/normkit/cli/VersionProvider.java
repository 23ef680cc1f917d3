package org.normkit.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the version from the jar manifest, the JVM and the BLAS in use. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Normkit.class.getPackage().getImplementationVersion();
        return new String[] {
            "normkit " + (version == null ? "(development build)" : version),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
            "BLAS: " + org.normkit.autograd.loops.Gemm.implementation()
        };
    }
}
