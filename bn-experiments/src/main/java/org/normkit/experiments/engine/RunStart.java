package org.normkit.experiments.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.normkit.autograd.io.AtomicFiles;
import org.normkit.autograd.nn.StateDicts;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.report.RunKey;

/**
 * Where a run starts from: its net's initial state and the order in which it visits the training rows, epoch by
 * epoch. Both follow from the seed alone ({@link RunTrainer}), and {@code normkit experiment --export-init DIR}
 * writes them so that another framework can train the same run from the same start: a paired comparison, in which
 * only the arithmetic differs (scripts/pytorch/train_sequence_reference.py and train_reference.py read them with
 * {@code --init-from DIR}).
 *
 * <p>Files of a run, under {@code DIR/NORM/seed-S/} (NORM as {@code --norms} spells it, options included, e.g.
 * {@code batch_norm:per_step=true}):
 * <ul>
 *   <li>{@value #STATE_FILE}: the state dict before the first step (parameters and buffers by dotted name),
 *       {@code normkit-state/1}, as {@link StateDicts} writes any checkpoint (little-endian; a few lines of NumPy
 *       read it);</li>
 *   <li>{@value #ORDER_FILE}: JSON, {@code {"format": "normkit-batches/1", "seed": S, "rows": N,
 *       "batch_size": B, "skip_batches_shorter_than": K, "epochs": [[r, r, …], …]}}: per epoch, every training row
 *       index once, in the order trained on; batch i of an epoch is rows [i·B, (i+1)·B) of its list, and a last batch
 *       shorter than K is skipped (a batch of one row, which BatchNorm cannot train on).</li>
 * </ul>
 *
 * @param net     the net's state dict before training, by dotted name
 * @param batches the run's batch order
 * @param epochs  how many epochs the run trains
 */
public record RunStart(Map<String, Tensor> net, Batches batches, int epochs) {
    public static final String STATE_FILE = "init.state";
    public static final String ORDER_FILE = "batches.json";
    public static final String ORDER_FORMAT = "normkit-batches/1";

    /** The folder of {@code key}'s files under {@code root}: {@code root/NORM/seed-S}. */
    public static Path folder(Path root, RunKey key) {
        return root.resolve(key.config().norm()).resolve("seed-" + key.seed());
    }

    /** The smallest batch a run trains on; a shorter last batch of an epoch is skipped ({@code Trainer}). */
    public int smallestBatch() {
        return Math.min(2, batches.batchSize());
    }

    /** Writes {@value #STATE_FILE} and {@value #ORDER_FILE} into {@code folder}, each atomically. */
    public void write(Path folder, long seed) {
        StateDicts.write(net, folder.resolve(STATE_FILE));
        StringBuilder json = new StringBuilder(16 * batches.rows() * epochs + 200);
        json.append("{\"format\": \"").append(ORDER_FORMAT).append("\", \"seed\": ").append(seed)
                .append(", \"rows\": ").append(batches.rows()).append(", \"batch_size\": ").append(batches.batchSize())
                .append(", \"skip_batches_shorter_than\": ").append(smallestBatch()).append(",\n \"epochs\": [");
        for (int epoch = 1; epoch <= epochs; epoch++) {
            json.append(epoch == 1 ? "\n  [" : ",\n  [");
            int[] order = batches.order(epoch);
            for (int i = 0; i < order.length; i++) {
                json.append(i == 0 ? "" : ", ").append(order[i]);
            }
            json.append(']');
        }
        json.append("\n ]}\n");
        AtomicFiles.writeString(folder.resolve(ORDER_FILE), json.toString());
    }

    private static final Pattern ROWS = Pattern.compile("\"rows\": (\\d+)");
    private static final Pattern EPOCH = Pattern.compile("\\[([\\d, ]*)\\]");

    /**
     * Reads a {@value #ORDER_FILE} back: per epoch, the row indices in order. Only the files {@link #write} makes are
     * read (checked by their format line, the count of rows per epoch and that each epoch holds every row once).
     */
    public static List<int[]> readOrder(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("no batch order at " + file.toAbsolutePath() + ": export it with "
                    + "normkit experiment --export-init DIR", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!text.contains("\"format\": \"" + ORDER_FORMAT + "\"")) {
            throw new IllegalArgumentException(file + " is not a " + ORDER_FORMAT + " file; export it with normkit "
                    + "experiment --export-init DIR");
        }
        Matcher rowsField = ROWS.matcher(text);
        int epochsAt = text.indexOf("\"epochs\"");
        if (!rowsField.find() || epochsAt < 0) {
            throw new IllegalArgumentException(file + " lacks its \"rows\" or \"epochs\"; the file is corrupt, export it "
                    + "again");
        }
        int rows = Integer.parseInt(rowsField.group(1));
        List<int[]> epochs = new ArrayList<>();
        Matcher epoch = EPOCH.matcher(text.substring(epochsAt));
        while (epoch.find()) {
            String body = epoch.group(1).trim();
            int[] order = body.isEmpty() ? new int[0]
                    : java.util.Arrays.stream(body.split(",\\s*")).mapToInt(Integer::parseInt).toArray();
            boolean[] seen = new boolean[Math.max(rows, 0)];
            boolean permutation = order.length == rows;
            for (int r : order) {
                permutation = permutation && r >= 0 && r < rows && !seen[r];
                if (permutation) {
                    seen[r] = true;
                }
            }
            if (!permutation) {
                throw new IllegalArgumentException(file + ": epoch " + (epochs.size() + 1) + " is not an order of "
                        + "the " + rows + " training rows (each once); the file is corrupt, export it again");
            }
            epochs.add(order);
        }
        return epochs;
    }
}
