package org.normkit.experiments.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.normkit.autograd.nn.Embedding;
import org.normkit.autograd.nn.LSTM;
import org.normkit.autograd.nn.Linear;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.nn.MultiHeadAttention;
import org.normkit.autograd.ops.Masks;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.data.TokenBatch;

/**
 * The sequence nets, each for two inputs: row-sequential images (28 steps of 28 pixels, classified from the
 * sequence) and characters (a next-character language model over padded batches).
 *
 * <ul>
 *   <li>{@code transformer}: a pre-norm encoder (Xiong et al. 2020) of {@value #LAYERS} layers, d_model
 *       {@value #WIDTH}, {@value #HEADS} heads, feed-forward {@value #FEED_FORWARD} with ReLU, no dropout:
 *       x + attention(norm₁(x)), then x + ffn(norm₂(x)), and a final norm. Learned position embeddings. Images:
 *       rows through Linear(28 → d), mean over positions, Linear(d → 10). Text: character embeddings, causal and
 *       padding masks, Linear(d → vocabulary) at every position, its bias started at the {@link UnigramPrior}.
 *       The norms see tokens ({@link TokenNorm}).</li>
 *   <li>{@code lstm}: one {@link LSTM} layer of {@value #HIDDEN} units with norms on the gate pre-activations and the
 *       cell (Ba et al. 2016; Cooijmans et al. 2016); shared over time by default, per time step with the
 *       {@code per_step=true} option. Images: the last hidden state through Linear(H → 10). Text: embeddings of
 *       {@value #WIDTH}, Linear(H → vocabulary) at every position (bias: the {@link UnigramPrior}).</li>
 * </ul>
 */
final class SequenceNets {
    static final int WIDTH = 64;
    static final int LAYERS = 2;
    static final int HEADS = 4;
    static final int FEED_FORWARD = 128;
    static final int HIDDEN = 128;
    /** Rows of an image, pixels per row. */
    static final int ROWS = 28;
    /** The longest text sequence: 127 characters and the begin token. */
    static final int MAX_STEPS = 128;
    private static final int N = 2;

    private SequenceNets() {}

    static String describe(String net) {
        return net.equals("transformer")
                ? "pre-norm Transformer encoder, d_model " + WIDTH + ", " + LAYERS + " layers, " + HEADS + " heads, "
                        + "feed-forward " + FEED_FORWARD + "; norms before attention, before the FFN and at the end"
                : "LSTM, " + HIDDEN + " units, norms on the gate pre-activations and the cell";
    }

    /** The image classifier: (B, 1, 28, 28) read as 28 steps of 28 pixels; its layers' tensors of {@code dtype}. */
    static Module forImages(String net, NormSlot slot, DType dtype, SplittableRandom random) {
        return net.equals("transformer") ? new Transformer(slot, 0, dtype, random)
                : new Recurrent(slot, 0, dtype, random);
    }

    /** The character language model over {@code vocabulary} token ids; its layers' tensors of {@code dtype}. */
    static Module forText(String net, NormSlot slot, int vocabulary, DType dtype, SplittableRandom random) {
        return net.equals("transformer") ? new Transformer(slot, vocabulary, dtype, random)
                : new Recurrent(slot, vocabulary, dtype, random);
    }

    private static Module norm(NormSlot slot, int features, String where) {
        return slot.create(Shape.of(N, features), where);
    }

    /** b·steps + t for every position inside its sequence, ascending. */
    static int[] validRows(TokenBatch batch) {
        int[] rows = new int[batch.validPositions()];
        int n = 0;
        for (int b = 0; b < batch.batch(); b++) {
            for (int t = 0; t < batch.lengths()[b]; t++) {
                rows[n++] = b * batch.steps() + t;
            }
        }
        return rows;
    }

    static final class Transformer extends Module implements LanguageModel {
        private final Module rowInput;
        private final Embedding charInput;
        private final Embedding positions;
        private final List<Block> blocks = new ArrayList<>();
        private final TokenNorm finalNorm;
        private final Linear head;
        private final DType dtype;

        /** @param vocabulary 0 for images, else the number of token ids */
        Transformer(NormSlot slot, int vocabulary, DType dtype, SplittableRandom random) {
            this.dtype = dtype;
            boolean masked = slot.flag(NormSlot.MASKED, true);
            slot.flag(NormSlot.PER_STEP, false);
            if (vocabulary == 0) {
                rowInput = registerChild("input", new Linear(ROWS, WIDTH, true, dtype, random));
                charInput = null;
            } else {
                rowInput = null;
                charInput = registerChild("input", new Embedding(vocabulary, WIDTH, dtype, random));
            }
            positions = registerChild("positions", new Embedding(vocabulary == 0 ? ROWS : MAX_STEPS, WIDTH,
                    dtype, random));
            for (int l = 0; l < LAYERS; l++) {
                blocks.add(registerChild("layer" + l, new Block(slot, masked, l, dtype, random)));
            }
            finalNorm = tokenNorm(slot, masked, "at the end of the transformer");
            head = registerChild("head", new Linear(WIDTH, vocabulary == 0 ? 10 : vocabulary, true, dtype, random));
        }

        private TokenNorm tokenNorm(NormSlot slot, boolean masked, String where) {
            Module norm = norm(slot, WIDTH, where);
            return norm == null ? null : registerChild("norm", new TokenNorm(norm, masked));
        }

        @Override
        public Tensor forward(Tensor images) {
            int batch = images.dim(0);
            Tensor x = rowInput.forward(images.reshape(batch, ROWS, ROWS)).add(positions.weight().value());
            Tensor h = encode(x, null, null);
            return head.forward(h.mean(new int[] {1}, false));
        }

        @Override
        public Tensor logits(TokenBatch batch) {
            Tensor x = charInput.lookup(batch.inputs(), Shape.of(batch.batch(), batch.steps()))
                    .add(positions.weight().value().narrow(0, 0, batch.steps()));
            Tensor keep = Masks.attention(Masks.padding(batch.lengths(), batch.steps(), dtype), true);
            Tensor h = encode(x, keep, validRows(batch));
            return head.forward(h.reshape(batch.batch() * batch.steps(), WIDTH));
        }

        @Override
        public Linear output() {
            return head;
        }

        private Tensor encode(Tensor x, Tensor keep, int[] valid) {
            for (Block block : blocks) {
                x = block.forward(x, keep, valid);
            }
            return finalNorm == null ? x : finalNorm.forward(x, valid);
        }
    }

    /** One pre-norm encoder layer. */
    static final class Block extends Module {
        private final TokenNorm beforeAttention;
        private final MultiHeadAttention attention;
        private final TokenNorm beforeFeedForward;
        private final Linear up;
        private final Linear down;

        Block(NormSlot slot, boolean masked, int layer, DType dtype, SplittableRandom random) {
            Module n1 = norm(slot, WIDTH, "before attention in transformer layer " + layer);
            beforeAttention = n1 == null ? null : registerChild("norm1", new TokenNorm(n1, masked));
            attention = registerChild("attention", new MultiHeadAttention(WIDTH, HEADS, dtype, random));
            Module n2 = norm(slot, WIDTH, "before the feed-forward network in transformer layer " + layer);
            beforeFeedForward = n2 == null ? null : registerChild("norm2", new TokenNorm(n2, masked));
            up = registerChild("linear1", new Linear(WIDTH, FEED_FORWARD, true, dtype, random));
            down = registerChild("linear2", new Linear(FEED_FORWARD, WIDTH, true, dtype, random));
        }

        @Override
        public Tensor forward(Tensor x) {
            return forward(x, null, null);
        }

        Tensor forward(Tensor x, Tensor keep, int[] valid) {
            Tensor a = beforeAttention == null ? x : beforeAttention.forward(x, valid);
            x = x.add(attention.forward(a, keep));
            Tensor f = beforeFeedForward == null ? x : beforeFeedForward.forward(x, valid);
            return x.add(down.forward(up.forward(f).relu()));
        }
    }

    static final class Recurrent extends Module implements LanguageModel {
        private final Embedding charInput;
        private final LSTM lstm;
        private final Linear head;
        private final boolean masked;

        Recurrent(NormSlot slot, int vocabulary, DType dtype, SplittableRandom random) {
            boolean perStep = slot.flag(NormSlot.PER_STEP, false);
            masked = slot.flag(NormSlot.MASKED, true);
            int input = vocabulary == 0 ? ROWS : WIDTH;
            charInput = vocabulary == 0 ? null
                    : registerChild("input", new Embedding(vocabulary, WIDTH, dtype, random));
            int steps = perStep ? (vocabulary == 0 ? ROWS : MAX_STEPS) : 1;
            lstm = registerChild("lstm", new LSTM(input, HIDDEN, steps,
                    (where, features) -> norm(slot, features, "on " + where + " in the lstm"), dtype, random));
            head = registerChild("head", new Linear(HIDDEN, vocabulary == 0 ? 10 : vocabulary, true, dtype, random));
        }

        @Override
        public Tensor forward(Tensor images) {
            int batch = images.dim(0);
            return head.forward(lstm.run(images.reshape(batch, ROWS, ROWS)).last());
        }

        @Override
        public Tensor logits(TokenBatch batch) {
            // Each step's characters looked up on their own (LSTM.run's note: no narrow of a (B, T, d) lookup).
            int[] tokens = batch.inputs();
            int steps = batch.steps();
            Shape column = Shape.of(batch.batch());
            Tensor h = lstm.run(t -> {
                int[] step = new int[batch.batch()];
                for (int b = 0; b < step.length; b++) {
                    step[b] = tokens[b * steps + t];
                }
                return charInput.lookup(step, column);
            }, batch.batch(), steps, masked ? batch.lengths() : null).outputs();
            return head.forward(h.reshape(batch.batch() * batch.steps(), HIDDEN));
        }

        @Override
        public Linear output() {
            return head;
        }
    }
}
