package org.normkit.cli.readme;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.ResultsCsv;

/** Reading the committed result files the figures are made of, with errors that name the file. */
final class ResultFiles {

    private ResultFiles() {}

    /** {@code relative} under {@code root}; an error naming it and how to make it when it does not exist. */
    static Path existing(Path root, String relative) {
        Path file = root.resolve(relative);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the README's figures need " + relative + ", which does not exist under "
                    + root.toAbsolutePath() + ": commit it (its README block names the command that makes it)");
        }
        return file;
    }

    /** A committed JSON result file, parsed; an error naming it when it is missing or not JSON. */
    static JsonNode json(Path root, String relative) {
        try {
            return new ObjectMapper().readTree(Files.readString(existing(root, relative)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + relative + ": " + e.getMessage(), e);
        }
    }

    /** The rows of a committed {@code results.csv}; a warning while reading it is an error here. */
    static List<ResultRow> resultRows(Path root, String relative) {
        Path file = existing(root, relative);
        List<ResultRow> rows = ResultsCsv.read(file, warning -> {
            throw new IllegalStateException("committed result file " + relative + " is not clean: " + warning);
        });
        if (rows.isEmpty()) {
            throw new IllegalStateException("committed result file " + relative + " holds no rows");
        }
        return rows;
    }

    /** "3 min 11 s": the seconds column of {@code rows} summed, training epochs only. */
    static String trainingTime(List<ResultRow> rows) {
        long seconds = Math.round(rows.stream().mapToDouble(ResultRow::seconds).filter(Double::isFinite).sum());
        return seconds >= 60 ? (seconds / 60) + " min " + (seconds % 60) + " s" : seconds + " s";
    }
}
