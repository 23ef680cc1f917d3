package org.normkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.experiments.train.ResultsFolderLock;

/**
 * The bad-input catalogue: every input a user can get wrong that we know of, the exit code it gets and the start of
 * the message that names the problem. Each runs the command line in this JVM ({@link Normkit#run}), so the whole
 * catalogue takes seconds. No entry may print a stack trace or leave a results folder half-written.
 */
class BadInputCatalogueTest {
    @TempDir
    static Path files;
    static Path data;

    /** One input: the arguments ({@code $}-prefixed words are files of {@link #files}), the exit code, the message. */
    record Entry(String args, int exit, String messageStart) {
        @Override
        public String toString() {
            return args;
        }
    }

    @BeforeAll
    static void writeBadFiles() throws IOException {
        data = TinyIdx.write(Files.createDirectory(files.resolve("data")), 64, 32);
        Files.writeString(files.resolve("zero-cases.json"), "{\"format\":\"bn-conformance/1\",\"generator\":\"x\","
                + "\"cases\":[]}");
        Files.writeString(files.resolve("nan.json"), "{\"format\":\"bn-conformance/1\",\"generator\":\"x\","
                + "\"cases\":[{\"x\": NaN}]}");
        Files.writeString(files.resolve("other-format.json"), "{\"format\":\"bn-conformance/9\",\"generator\":\"x\","
                + "\"cases\":[]}");
        Files.writeString(files.resolve("not-json.json"), "cases: none");
        Files.writeString(files.resolve("not-a-jar.jar"), "not a jar");
        Files.write(files.resolve("empty.jar"), new byte[0]);
        new ZipOutputStream(Files.newOutputStream(files.resolve("empty.zip"))).close();
        // A folder of another experiment definition: lr 0.1 where the catalogue asks for 0.01.
        Path other = Files.createDirectory(files.resolve("other-lr"));
        Files.writeString(other.resolve("results.csv"), "net,norm,batch_size,lr,optimizer,weight_decay,dropout,seed,"
                + "epoch,train_loss,test_loss,test_accuracy,train_accuracy,seconds,samples_per_second,status\n"
                + "mlp,none,32,0.1,adam,0,0,0,1,2.3,2.3,0.1,0.1,1,100,ok\n");
        Files.writeString(other.resolve("setup.txt"), "lr: 0.1\n");
        Files.createDirectory(files.resolve("busy"));
    }

    static Stream<Entry> catalogue() {
        return Stream.of(
                // The command line itself.
                new Entry("foo", 2, "Unmatched argument at index 0: 'foo'"),
                new Entry("experiment --epochs abc", 2, "Invalid value for option '--epochs': 'abc' is not an int"),
                new Entry("experiment --no-such-option", 2, "Unknown option: '--no-such-option'"),
                new Entry("sweep", 2, "Missing required option: '--vary=SETTING=V1,V2,...'"),
                new Entry("gradcheck", 2, "Missing required parameter: 'NAME'"),
                // Experiment settings.
                new Entry("experiment --epochs 0", 1, "normkit: error: --epochs 0 must be >= 1"),
                new Entry("experiment --seeds 0", 1, "normkit: error: --seeds 0 must be >= 1"),
                new Entry("experiment --batch-size 0", 1, "normkit: error: --batch-size 0 must be >= 1"),
                new Entry("experiment --threads 0", 1, "normkit: error: --threads 0 must be >= 1"),
                new Entry("experiment --lr -1", 1, "normkit: error: --lr -1.0 is not a learning rate"),
                new Entry("experiment --lr NaN", 1, "normkit: error: --lr NaN is not a learning rate"),
                new Entry("experiment --dropout 1", 1, "normkit: error: --dropout 1.0 must be in [0, 1)"),
                new Entry("experiment --weight-decay -1", 1, "normkit: error: --weight-decay -1.0 must be >= 0"),
                new Entry("experiment --dtype float16", 1, "normkit: error: --dtype float16 is unknown: use float32 or "
                        + "float64"),
                new Entry("experiment --optimizer rmsprop", 1, "normkit: error: --optimizer rmsprop is unknown"),
                new Entry("experiment --net resnet", 1, "normkit: error: unknown net 'resnet'"),
                new Entry("experiment --norms foo", 1, "normkit: error: --norms: unknown normalization 'foo'"),
                new Entry("experiment --limit-train 0", 1, "normkit: error: --limit-train 0 must be >= 1"),
                new Entry("sweep --vary epochs=1,2", 1, "normkit: error: --vary epochs is not a setting a sweep can "
                        + "vary: use one of batch-size, lr, weight-decay, dropout, grad-penalty, init, lr-scaling, "
                        + "optimizer, net, face, or an option of the norms such as groups=1,2,4"),
                new Entry("sweep --vary foo=1 --norms group_norm", 1, "normkit: error: --vary foo is neither a "
                        + "setting a sweep can vary (batch-size, lr, "),
                new Entry("sweep --vary groups=1,2 --norms group_norm,batch_norm", 1, "normkit: error: --vary "
                        + "groups: batch_norm takes no option groups (group_norm does); a norm option is varied in "
                        + "every norm of --norms, so list only norms that take it"),
                new Entry("sweep --vary init=default,he", 1, "normkit: error: --vary init: 'he' is not an "
                        + "initialisation: use default, xavier, kaiming"),
                new Entry("sweep --vary lr=", 1, "normkit: error: --vary lr has no values: write them like "
                        + "lr=V1,V2,V3"),
                new Entry("sweep --vary lr=0.1 --vary lr=1", 1, "normkit: error: --vary lr is given twice"),
                // Results folders.
                new Entry("experiment --norms none --out $busy --data $data", 1,
                        "normkit: error: another normkit run is writing to"),
                new Entry("experiment --norms none --lr 0.01 --batch-size 32 --out $other-lr --data $data", 1,
                        "normkit: error: $other-lr holds the results of another experiment"),
                // Conformance files.
                new Entry("conformance --cases $missing.json", 1, "normkit: error: cannot read $missing.json: no such "
                        + "file"),
                new Entry("conformance --cases $not-json.json", 1, "normkit: error: $not-json.json is not valid JSON"),
                new Entry("conformance --cases $other-format.json", 1, "normkit: error: $other-format.json: format "
                        + "'bn-conformance/9' is not supported"),
                new Entry("conformance --cases $zero-cases.json", 1, "normkit: error: $zero-cases.json holds no cases: "
                        + "checking nothing is not a pass"),
                new Entry("conformance --cases $nan.json", 1, "normkit: error: $nan.json holds NaN or Infinity"),
                new Entry("conformance --cases $zero-cases.json --norm foo", 1, "normkit: error: --norm: unknown "
                        + "normalization 'foo'; registered: batch_norm"),
                // Plugins.
                new Entry("--plugins $missing.jar list", 1, "normkit: error: plugin path $missing.jar does not exist"),
                new Entry("--plugins $not-a-jar.jar list", 1, "normkit: error: plugin $not-a-jar.jar is not a jar"),
                new Entry("list --plugins $empty.jar", 1, "normkit: error: plugin $empty.jar is not a jar"),
                new Entry("list --plugins $empty.zip", 1, "normkit: error: plugin $empty.zip is an empty jar"),
                // gradcheck.
                new Entry("gradcheck foo", 1, "normkit: error: "),
                new Entry("gradcheck group_norm --option foo=1", 1, "normkit: error: --option foo: group_norm has no "
                        + "option 'foo'; its options: eps, momentum, affine, track_running_stats, groups"),
                new Entry("gradcheck batch_norm --option eps=abc", 1, "normkit: error: --option eps=abc: not a number"),
                new Entry("gradcheck batch_norm --option eps=0", 1, "normkit: error: --option eps=0: expected a number"
                        + " > 0"),
                new Entry("gradcheck batch_norm --option momentum=2", 1, "normkit: error: --option momentum=2: "
                        + "expected a number in [0, 1]"),
                new Entry("gradcheck batch_norm --option affine=maybe", 1, "normkit: error: --option affine=maybe: "
                        + "expected true or false"),
                new Entry("gradcheck group_norm --option groups=abc --shape 2x4x3", 1, "normkit: error: "),
                new Entry("gradcheck batch_norm --shape 4xq", 1, "normkit: error: "),
                // Warnings: the run goes on, one line says what is odd.
                new Entry("experiment --norms none --epochs 1 --seeds 1 --batch-size 1000 --threads 4096 "
                        + "--no-progress --out $warned --data $data", 0,
                        "normkit: warning: --threads 4096 is more than the"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void eachBadInputGetsItsExitCodeAndAMessageNamingTheProblem(Entry entry) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = Arrays.stream(entry.args().split(" ")).map(BadInputCatalogueTest::file).toArray(String[]::new);
        int exit;
        try (ResultsFolderLock busy = ResultsFolderLock.acquire(files.resolve("busy"), false, notice -> { })) {
            exit = Normkit.run(args, new PrintWriter(out), new PrintWriter(err));
        }

        String message = err.toString();
        assertEquals(entry.exit(), exit, out + message);
        assertTrue(message.startsWith(file(entry.messageStart())), () -> "expected the message to start with "
                + file(entry.messageStart()) + "\nbut it was: " + message);
        assertFalse(message.contains("\tat ") || message.contains("Exception"), message);
        if (entry.args().contains("$other-lr")) {
            assertEquals(2, Files.readAllLines(files.resolve("other-lr/results.csv")).size(), "the rows are kept");
        }
        if (entry.exit() == 0) {
            assertTrue(out.toString().contains("warning: --batch-size 1000 is larger than the 64 training images"),
                    out.toString());
        }
    }

    private static String file(String word) {
        List<String> parts = new ArrayList<>();
        for (String part : word.split("(?=\\$)")) {
            if (part.startsWith("$")) {
                int end = part.indexOf(' ') < 0 ? part.length() : part.indexOf(' ');
                String name = part.substring(1, end).replaceAll("[:,]$", "");
                parts.add((name.equals("data") ? data : files.resolve(name)) + part.substring(1 + name.length()));
            } else {
                parts.add(part);
            }
        }
        return String.join("", parts);
    }
}
