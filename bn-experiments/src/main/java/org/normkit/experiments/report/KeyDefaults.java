package org.normkit.experiments.report;

/**
 * What a row of a {@code results.csv} written before the file had the columns {@code init}, {@code lr_scaling},
 * {@code face} and {@code grad_penalty} was trained with. Such a folder recorded them once, for all its rows, in its
 * {@code setup.txt}; the runner reads them from there, a report without that file assumes the defaults.
 *
 * @param init        the initialisation every row of the file used
 * @param lrScaling   the learning-rate scaling every row used
 * @param face        the face every row trained with
 * @param gradPenalty the gradient penalty every row trained with
 */
public record KeyDefaults(String init, String lrScaling, String face, double gradPenalty) {

    /** A run that set none of them: what the rows of a folder without {@code setup.txt} are taken to be. */
    public static final KeyDefaults DEFAULT = new KeyDefaults(RunConfig.DEFAULT_INIT, RunConfig.NO_SCALING,
            RunConfig.AUTO_FACE, 0);

    /** The configuration of an older row, from its first seven columns. */
    RunConfig complete(String net, String norm, int batchSize, double lr, String optimizer, double weightDecay,
                       double dropout) {
        return new RunConfig(net, norm, batchSize, lr, optimizer, weightDecay, dropout, init, lrScaling, face,
                gradPenalty);
    }
}
