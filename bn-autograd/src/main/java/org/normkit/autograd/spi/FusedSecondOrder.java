package org.normkit.autograd.spi;

/**
 * How a norm's fused face takes part in second- and higher-order gradients ({@code createGraph}), stated by
 * {@code normkit gradcheck --order 2} and the checks. The reference face is differentiable to any order by
 * construction; a fused face's analytic backward is a loop, so it must say what happens one order up.
 */
public enum FusedSecondOrder {
    /** The fused backward is itself written with recorded ops. */
    DIFFERENTIABLE_BACKWARD("the fused face's backward is differentiable itself"),
    /** A pass that builds a graph differentiates the reference face on the same inputs and statistics instead. */
    REFERENCE_FACE("the fused face hands second order to the reference face"),
    /** A pass that builds a graph through the fused face is refused with a message naming the op. */
    REFUSED("the fused face refuses second order: run the reference face for it");

    private final String statement;

    FusedSecondOrder(String statement) {
        this.statement = statement;
    }

    /** One line for reports, e.g. "the fused face hands second order to the reference face". */
    public String statement() {
        return statement;
    }
}
