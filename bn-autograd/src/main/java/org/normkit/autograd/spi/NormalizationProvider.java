package org.normkit.autograd.spi;

import java.util.List;

/**
 * A registry entry: a normalization's name, summary, inputs and factory. Found by {@link java.util.ServiceLoader}
 * through one line in {@code META-INF/services/org.normkit.autograd.spi.NormalizationProvider} naming a class with a
 * public zero-argument constructor; one such class may stand for a family of entries ({@link #family()}). A norm
 * written against bn-core extends {@code org.normkit.core.Norm}, which implements this interface for it. No Guice
 * knowledge is needed.
 */
public interface NormalizationProvider {

    /** Stable id used everywhere (CLI, reports, conformance files): {@code batch_norm2d}, {@code group_norm}. */
    String name();

    /** One line, with the paper, for {@code normkit list} and reports. */
    String summary();

    /** The inputs this norm takes. */
    InputContract contract();

    /** A new layer; validates the spec with errors that name the field, the value and the fix. */
    Normalization create(NormSpec spec);

    /**
     * The registry entries this service line stands for: this one alone (the default), or one per name of a family
     * ({@code batch_norm}, {@code batch_norm1d}, {@code batch_norm2d}, {@code batch_norm3d} from one class).
     */
    default List<NormalizationProvider> family() {
        return List.of(this);
    }

    /**
     * The class its author wrote, named in load problems (a duplicate name, a bad name): this entry's own class,
     * or, for an entry of a {@link #family()}, the class that declares the family, so that the message does not
     * name a helper class the author never saw.
     */
    default Class<?> declaringClass() {
        return getClass();
    }
}
