package org.normkit.experiments.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.tensor.DType;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.data.CharVocabulary;
import org.normkit.experiments.data.TextCorpus;
import org.normkit.experiments.report.RunConfig;

/**
 * Character-level language modelling over a {@link TextCorpus}: one document per sequence, padded batches, the
 * held-out documents scored in bits per character. In results.csv the test loss is in nats per character and the
 * accuracy is next-character accuracy; bits per character = loss / ln 2.
 */
final class TextWorkload implements Workload {
    private final TextCorpus corpus;
    private final CharVocabulary vocabulary;
    private final List<int[]> train;
    private final List<int[]> test;
    private final double[] prior;
    private final DType dtype;

    TextWorkload(TextCorpus corpus, DType dtype) {
        this.corpus = corpus;
        this.dtype = dtype;
        this.vocabulary = corpus.vocabulary();
        this.train = corpus.train().stream().map(vocabulary::encode).toList();
        this.test = corpus.test().stream().map(vocabulary::encode).toList();
        this.prior = UnigramPrior.logFrequencies(train, vocabulary.size());
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public Module build(RunConfig run, NormSlot slot, SplittableRandom random) {
        Module net = Nets.buildForText(run.net(), slot.withDtype(dtype), vocabulary.size(), dtype, random);
        UnigramPrior.apply(((LanguageModel) net).output(), prior);
        return net;
    }

    @Override
    public int trainingRows() {
        return train.size();
    }

    @Override
    public String rowsName() {
        return "documents";
    }

    /**
     * The gradient penalty and data-parallel replicas are refused for text before anything trains
     * ({@link ExperimentConfig}, {@code GridSetup}), so the learning is one net and its optimizer.
     */
    @Override
    public Trainer.EpochResult trainEpoch(Learning learning, Batches batches, int epoch, String task,
                                          Progress.Factory progress) {
        return new LanguageModelTrainer(progress).trainEpoch(learning.net(), learning.optimizer(), train, batches,
                epoch, task);
    }

    @Override
    public Trainer.Evaluation evaluate(Module model) {
        return new LanguageModelTrainer(Progress.silent()).evaluate(model, test);
    }

    @Override
    public String origin() {
        return "text " + corpus.origin() + ", " + corpus.train().size() + " training and " + corpus.test().size()
                + " held-out documents";
    }

    @Override
    public String title(String net) {
        return corpus.synthetic() ? "synthetic text (character language model)"
                : "text (character language model)";
    }

    @Override
    public boolean synthetic() {
        return corpus.synthetic();
    }

    @Override
    public String notice() {
        return corpus.notice();
    }

    @Override
    public String unit() {
        return "characters";
    }

    @Override
    public String extra(Trainer.Evaluation test) {
        return String.format(", test %.4f bits per character", LanguageModelTrainer.bitsPerCharacter(test.loss()));
    }

    @Override
    public String announce() {
        return "data: " + corpus.train().size() + " training and " + corpus.test().size() + " held-out documents, "
                + TextCorpus.characters(corpus.train()) + " and " + TextCorpus.characters(corpus.test())
                + " characters, vocabulary " + vocabulary.size() + " (" + corpus.origin() + ")";
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("data", corpus.train().size() + " training / " + corpus.test().size() + " held-out documents ("
                + TextCorpus.characters(corpus.train()) + " / " + TextCorpus.characters(corpus.test())
                + " characters, at most " + TextCorpus.MAX_CHARS + " per sequence), vocabulary " + vocabulary.size()
                + ": " + corpus.origin());
        m.put("output bias", "starts at the log of each character's frequency in the training documents "
                + "(add-half smoothed): the first prediction is the unigram distribution");
        m.put("metrics", "test loss in nats per character (bits per character = loss / ln 2), accuracy = "
                + "next-character accuracy, both over the held-out documents' characters and their end");
        return m;
    }
}
