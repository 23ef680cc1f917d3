package org.normkit.experiments.report;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where the grid values of a sweep swept in powers (batch size, learning rate) sit on its plot's x axis, and the
 * label of each. XChart's logarithmic axis ticks powers of ten only, and its number axis puts ticks at values of its
 * own choosing, except when the x values of the chart are equally spaced: then it ticks each of them. So the grid
 * value of rank {@code i} is drawn at {@code x = i}, and the tick at {@code i} is labelled with that grid value.
 *
 * <p>When the grid is geometric (every value the same multiple of the one before: 2, 8, 32, 128 or 0.001, 0.01, 0.1),
 * equal steps of rank are equal steps of the logarithm, so the axis is a true logarithmic axis and its title says
 * so. Otherwise (0.0001, 0.0003, 0.001, 0.01) the values are spaced evenly by rank, not to scale, and the title says
 * that instead.
 *
 * @param title     the axis title: the setting's name and how the values are spaced
 * @param grid      the distinct grid values, ascending
 * @param geometric whether the grid is geometric, so that the spacing is logarithmic
 */
record SweepAxis(String title, double[] grid, boolean geometric) {

    /** Relative tolerance on the ratio of successive values, for grids typed in decimal (0.1, 0.01, 0.001). */
    private static final double RATIO_TOLERANCE = 1e-6;

    /** The axis of a sweep over {@code setting} whose x values are {@code values} (repeats and NaN ignored). */
    static SweepAxis of(String setting, List<double[]> values) {
        double[] grid = values.stream().flatMapToDouble(Arrays::stream).filter(Double::isFinite).sorted().distinct()
                .toArray();
        if (grid.length == 0) {
            throw new IllegalArgumentException("a sweep plot over " + setting + " needs at least one grid value");
        }
        // A grid with 0 (no weight decay, no dropout) has no logarithm: its values are spaced by rank.
        boolean geometric = grid[0] > 0 && isGeometric(grid);
        String spacing = geometric ? "logarithmic axis" : "grid values evenly spaced, not to scale";
        return new SweepAxis(setting + " (" + spacing + ")", grid, geometric);
    }

    private static boolean isGeometric(double[] grid) {
        for (int i = 2; i < grid.length; i++) {
            double first = grid[1] / grid[0];
            if (Math.abs(grid[i] / grid[i - 1] - first) > RATIO_TOLERANCE * first) {
                return false;
            }
        }
        return true;
    }

    /** The x position of grid value {@code value}: its rank in the grid. */
    double position(double value) {
        int rank = Arrays.binarySearch(grid, value);
        if (rank < 0) {
            throw new IllegalArgumentException(Numbers.plain(value) + " is not a grid value of this sweep axis "
                    + Arrays.toString(grid));
        }
        return rank;
    }

    /** The x positions of {@code values}: NaN stays NaN (a missing point), every other value its rank. */
    double[] positions(double[] values) {
        return Arrays.stream(values).map(value -> Double.isFinite(value) ? position(value) : Double.NaN).toArray();
    }

    /** The label of the tick at {@code tick}: its grid value when a grid value sits there, else none. */
    Optional<String> label(double tick) {
        long rank = Math.round(tick);
        if (Math.abs(tick - rank) > 1e-9 || rank < 0 || rank >= grid.length) {
            return Optional.empty();
        }
        return Optional.of(Numbers.plain(grid[(int) rank]));
    }
}
