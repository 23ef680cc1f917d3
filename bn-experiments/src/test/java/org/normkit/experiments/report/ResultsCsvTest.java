package org.normkit.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsCsvTest {

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();
    private static final RunKey BATCH_NORM = Rows.key("batch_norm", 64, 1e-3, 1);
    private static final RunKey NONE = Rows.key("none", 64, 1e-3, 1);

    private ResultsCsv open() {
        return ResultsCsv.open(dir.resolve(ResultsCsv.FILE_NAME), warnings::add);
    }

    @Nested
    class Appending {

        @Test
        void rowsReadBackExactlyAsAppended() {
            ResultsCsv csv = open();
            ResultRow first = ResultRow.ok(BATCH_NORM, 1, 0.61234567891, 0.55, 0.8125, 0.79, 3.25, 18461.5);
            ResultRow diverged = ResultRow.diverged(NONE, 2, Double.POSITIVE_INFINITY, 1.5);
            csv.append(first);
            csv.append(diverged);

            List<ResultRow> read = open().rows();

            assertEquals(List.of(first, diverged), read);
            assertTrue(warnings.isEmpty(), warnings.toString());
        }

        @Test
        void theFileIsAWholeCsvAfterEveryAppend() throws IOException {
            ResultsCsv csv = open();
            csv.append(ResultRow.ok(BATCH_NORM, 1, 0.6, 0.55, 0.8, 0.79, 3.0, 1000));

            List<String> lines = Files.readAllLines(csv.file());

            assertEquals(List.of(ResultsCsv.HEADER,
                    "mlp,batch_norm,64,0.001,adam,0,0,1,1,0.6,0.55,0.8,0.79,3,1000,ok,default,none,auto,0,,"), lines);
        }

        @Test
        void aDivergedRowLeavesTheMetricsItCannotHaveEmpty() throws IOException {
            ResultsCsv csv = open();
            csv.append(ResultRow.diverged(NONE, 3, Double.NaN, 0.5));

            assertEquals("mlp,none,64,0.001,adam,0,0,1,3,,,,,0.5,,diverged,default,none,auto,0,,",
                    Files.readAllLines(csv.file()).get(1));
        }

        @Test
        void anEpochAlreadyWrittenIsRefused() {
            ResultsCsv csv = open();
            csv.append(ResultRow.ok(BATCH_NORM, 1, 0.6, 0.55, 0.8, 0.79, 3.0, 1000));

            IllegalStateException error = assertThrows(IllegalStateException.class,
                    () -> csv.append(ResultRow.ok(BATCH_NORM, 1, 0.6, 0.55, 0.8, 0.79, 3.0, 1000)));

            assertTrue(error.getMessage().contains("call startRun(key)"), error.getMessage());
        }

        @Test
        void startingARunAgainForgetsItsEarlierRows() {
            ResultsCsv csv = open();
            csv.append(ResultRow.ok(NONE, 1, 0.7, 0.7, 0.7, 0.7, 3.0, 1000));
            csv.append(ResultRow.ok(BATCH_NORM, 1, 0.6, 0.55, 0.8, 0.79, 3.0, 1000));
            csv.append(ResultRow.ok(BATCH_NORM, 2, 0.5, 0.45, 0.85, 0.84, 3.0, 1000));

            csv.startRun(BATCH_NORM);

            assertEquals(List.of(NONE), open().rows().stream().map(ResultRow::key).toList());
        }
    }

    @Nested
    class Resuming {

        @Test
        void completedRunsAreThoseAtTheFinalEpochOrDiverged() {
            ResultsCsv csv = open();
            RunKey finished = Rows.key("layer_norm", 64, 1e-3, 1);
            RunKey interrupted = Rows.key("layer_norm", 64, 1e-3, 2);
            RunKey diverged = Rows.key("layer_norm", 64, 1e-3, 3);
            new Rows().run(finished, 0.7, 0.8, 0.85).run(interrupted, 0.7, 0.8).diverged(diverged, 2).list()
                    .forEach(csv::append);

            assertEquals(Set.of(finished, diverged), open().completedRuns(3));
        }

        @Test
        void aTornLastLineIsDroppedWithAWarning() throws IOException {
            ResultsCsv csv = open();
            csv.append(ResultRow.ok(BATCH_NORM, 1, 0.6, 0.55, 0.8, 0.79, 3.0, 1000));
            Files.writeString(csv.file(), Files.readString(csv.file()) + "mlp,batch_norm,64,0.001,adam,0,0,1,2,0.5,0.4");

            ResultsCsv reopened = open();

            assertEquals(1, reopened.rows().size());
            assertEquals(1, warnings.size());
            assertTrue(warnings.get(0).contains("ignoring the last line of " + csv.file() + " (line 3)"),
                    warnings.get(0));
        }

        @Test
        void theNextAppendRepairsATornFile() throws IOException {
            ResultsCsv csv = open();
            csv.append(ResultRow.ok(BATCH_NORM, 1, 0.6, 0.55, 0.8, 0.79, 3.0, 1000));
            Files.writeString(csv.file(), Files.readString(csv.file()) + "mlp,batch_no");

            open().append(ResultRow.ok(BATCH_NORM, 2, 0.5, 0.45, 0.85, 0.84, 3.0, 1000));

            assertEquals(3, Files.readAllLines(csv.file()).size());
        }

        @Test
        void aGarbledLineInTheMiddleIsAnErrorNamingTheLine() throws IOException {
            Path file = dir.resolve(ResultsCsv.FILE_NAME);
            Files.writeString(file, ResultsCsv.HEADER + "\n"
                    + "mlp,none,64,0.001,adam,0,0,1,1,0.6,0.55,zero,0.79,3,1000,ok,default,none,auto,0,,\n"
                    + "mlp,none,64,0.001,adam,0,0,1,2,0.6,0.55,0.8,0.79,3,1000,ok,default,none,auto,0,,\n");

            ResultsFileException error = assertThrows(ResultsFileException.class, this::reopen);

            assertTrue(error.getMessage().startsWith(file + " line 2 is not a valid row: test_accuracy 'zero' is not "
                    + "a number; fix or delete that line"), error.getMessage());
        }

        @Test
        void aFileWithAnotherHeaderIsRefused() throws IOException {
            Path file = dir.resolve(ResultsCsv.FILE_NAME);
            Files.writeString(file, "name,score\nx,1\n");

            ResultsFileException error = assertThrows(ResultsFileException.class, this::reopen);

            assertTrue(error.getMessage().contains("does not start with the results header"), error.getMessage());
        }

        @Test
        void anOlderFileWithoutTheExtraKeyColumnsIsReadWithTheGivenSettingsAndRewrittenWhole() throws IOException {
            Path file = dir.resolve(ResultsCsv.FILE_NAME);
            Files.writeString(file, "net,norm,batch_size,lr,optimizer,weight_decay,dropout,seed,epoch,train_loss,"
                    + "test_loss,test_accuracy,train_accuracy,seconds,samples_per_second,status\n"
                    + "mlp,none,64,0.001,adam,0,0,1,1,0.6,0.55,0.8,0.79,3,1000,ok\n");
            KeyDefaults recorded = new KeyDefaults("xavier", "none", "reference", 0.1);

            ResultsCsv csv = ResultsCsv.open(file, warnings::add, recorded);
            RunKey key = csv.rows().get(0).key();
            csv.append(ResultRow.ok(key, 2, 0.5, 0.45, 0.85, 0.84, 3.0, 1000));

            assertEquals(new RunConfig("mlp", "none", 64, 0.001, "adam", 0, 0, "xavier", "none", "reference", 0.1),
                    key.config());
            assertEquals(List.of(ResultsCsv.HEADER,
                    "mlp,none,64,0.001,adam,0,0,1,1,0.6,0.55,0.8,0.79,3,1000,ok,xavier,none,reference,0.1,,",
                    "mlp,none,64,0.001,adam,0,0,1,2,0.5,0.45,0.85,0.84,3,1000,ok,xavier,none,reference,0.1,,"),
                    Files.readAllLines(file));
            assertTrue(warnings.isEmpty(), warnings.toString());
        }

        @Test
        void theJvmSecondsOfAnEpochReadBackExactly() throws IOException {
            ResultsCsv csv = open();
            ResultRow row = ResultRow.ok(BATCH_NORM, 1, 0.6, 0.55, 0.8, 0.79, 3.0, 1000).withJvmSeconds(1.234, 0.056);
            csv.append(row);

            assertEquals(List.of(row), open().rows());
            assertTrue(Files.readAllLines(csv.file()).get(1).endsWith(",ok,default,none,auto,0,1.234,0.056"));
        }

        @Test
        void aFileWrittenBeforeTheJvmColumnsReadsWithThemUnknownAndIsRewrittenWhole() throws IOException {
            Path file = dir.resolve(ResultsCsv.FILE_NAME);
            Files.writeString(file, "net,norm,batch_size,lr,optimizer,weight_decay,dropout,seed,epoch,train_loss,"
                    + "test_loss,test_accuracy,train_accuracy,seconds,samples_per_second,status,init,lr_scaling,face,"
                    + "grad_penalty\n"
                    + "mlp,none,64,0.001,adam,0,0,1,1,0.6,0.55,0.8,0.79,3,1000,ok,default,none,auto,0\n");

            ResultsCsv csv = open();
            ResultRow first = csv.rows().get(0);
            csv.append(ResultRow.ok(first.key(), 2, 0.5, 0.45, 0.85, 0.84, 3.0, 1000).withJvmSeconds(0.5, 0.25));

            assertTrue(Double.isNaN(first.jitSeconds()) && Double.isNaN(first.gcSeconds()), first.toString());
            assertEquals(List.of(ResultsCsv.HEADER,
                    "mlp,none,64,0.001,adam,0,0,1,1,0.6,0.55,0.8,0.79,3,1000,ok,default,none,auto,0,,",
                    "mlp,none,64,0.001,adam,0,0,1,2,0.5,0.45,0.85,0.84,3,1000,ok,default,none,auto,0,0.5,0.25"),
                    Files.readAllLines(file));
            assertTrue(warnings.isEmpty(), warnings.toString());
        }

        @Test
        void runsThatDifferOnlyInAnExtraKeyColumnAreTwoRuns() {
            ResultsCsv csv = open();
            RunKey xavier = new RunKey(NONE.config().withInit("xavier"), NONE.seed());
            csv.append(ResultRow.ok(NONE, 1, 0.6, 0.55, 0.8, 0.79, 3.0, 1000));
            csv.append(ResultRow.ok(xavier, 1, 0.6, 0.55, 0.7, 0.69, 3.0, 1000));

            assertEquals(Set.of(NONE, xavier), open().completedRuns(1));
        }

        @Test
        void aTornHeaderStartsTheFileAfresh() throws IOException {
            Files.writeString(dir.resolve(ResultsCsv.FILE_NAME), "net,norm,batch_si");

            assertEquals(List.of(), open().rows());
            assertEquals(1, warnings.size());
        }

        private void reopen() {
            open();
        }
    }
}
