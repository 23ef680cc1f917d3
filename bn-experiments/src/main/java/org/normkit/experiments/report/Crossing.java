package org.normkit.experiments.report;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Whether two norms' curves across a sweep cross: the sign of {@code acc(a) − acc(b)} at the smallest and at the
 * largest swept value where both have finished runs. Different signs mean the curves cross somewhere between; the
 * sentence then says whether Welch tests at both ends make the crossing more than seed noise. The classic case is
 * BatchNorm against GroupNorm across batch sizes, where Wu and He (2018, "Group Normalization") report GroupNorm
 * ahead at small batches and level or behind at large ones; the sentence says so when this run shows that pattern
 * and says plainly when it does not.
 */
final class Crossing {

    private Crossing() {}

    /** The sentence for norms {@code a} and {@code b}, given each one's summary per swept value. */
    static String sentence(String a, NavigableMap<Double, ConfigSummary> runsA, String b,
                           NavigableMap<Double, ConfigSummary> runsB, SweptSetting setting) {
        NavigableMap<Double, Comparison> common = new TreeMap<>();
        List<String> notes = new ArrayList<>();
        for (double value : runsA.keySet()) {
            ConfigSummary atA = runsA.get(value);
            ConfigSummary atB = runsB.get(value);
            if (atB == null) {
                continue;
            }
            if (atA.finalAccuracies().length > 0 && atB.finalAccuracies().length > 0) {
                common.put(value, Comparison.of(atA.finalAccuracies(), atB.finalAccuracies()));
            } else if (atA.finalEpoch() == 0 && atB.finalEpoch() > 0) {
                notes.add(a + " diverged in every seed at " + setting.at(value) + ", where " + b + " did not.");
            } else if (atB.finalEpoch() == 0 && atA.finalEpoch() > 0) {
                notes.add(b + " diverged in every seed at " + setting.at(value) + ", where " + a + " did not.");
            }
        }
        String sentence = common.size() < 2
                ? a + " and " + b + " have finished runs at fewer than two common " + setting.words()
                        + " values, so this sweep cannot say whether their curves cross."
                : ends(a, b, setting, common.firstEntry().getKey(), common.firstEntry().getValue(),
                        common.lastEntry().getKey(), common.lastEntry().getValue()) + " " + along(a, b, setting, common);
        return notes.isEmpty() ? sentence : sentence + " " + String.join(" ", notes);
    }

    private static String ends(String a, String b, SweptSetting setting, double low, Comparison atLow, double high,
                               Comparison atHigh) {
        double signLow = Math.signum(atLow.difference());
        double signHigh = Math.signum(atHigh.difference());
        String lowText = end(a, b, setting, low, atLow);
        String highText = end(a, b, setting, high, atHigh);
        String span = " between " + setting.at(low) + " and " + Numbers.plain(high);
        if (signLow == 0 || signHigh == 0) {
            return "The " + a + " and " + b + " curves are level at one end, so whether they cross" + span
                    + " cannot be decided: " + lowText + "; " + highText + ".";
        }
        if (signLow != signHigh) {
            StringBuilder sentence = new StringBuilder("The " + a + " and " + b + " curves cross" + span + ": "
                    + lowText + "; " + highText + ".");
            if (atLow.significant() && atHigh.significant()) {
                sentence.append(" Both differences are larger than seed noise at the 5 % level");
                boolean groupNormPattern = setting == SweptSetting.BATCH_SIZE && signLow < 0;
                sentence.append(groupNormPattern ? ", the pattern Wu and He (2018) report for BatchNorm against "
                        + "GroupNorm." : ".");
            } else if (atLow.p().isEmpty() && atHigh.p().isEmpty()) {
                sentence.append(" Neither difference can be tested with these seeds, so the crossing may be seed "
                        + "noise.");
            } else {
                sentence.append(" At least one of the two differences is not shown to be larger than seed noise, "
                        + "so the crossing is not established.");
            }
            return sentence.toString();
        }
        String leader = signLow > 0 ? a : b;
        StringBuilder sentence = new StringBuilder("The " + a + " and " + b + " curves do not cross" + span + ": "
                + leader + " is ahead at both ends (" + lowText + "; " + highText + ").");
        if (setting == SweptSetting.BATCH_SIZE && signLow > 0) {
            sentence.append(" The small-batch weakness expected of ").append(a)
                    .append(" did not appear in this run.");
        }
        return sentence.toString();
    }

    /**
     * The ends alone miss a curve that crosses and crosses back, so this names every pair of neighbouring values
     * between which the leader of the means changes, and the values where a difference is larger than seed noise.
     */
    private static String along(String a, String b, SweptSetting setting, NavigableMap<Double, Comparison> common) {
        List<String> changes = new ArrayList<>();
        Double previous = null;
        for (var entry : common.entrySet()) {
            double sign = Math.signum(entry.getValue().difference());
            if (sign == 0) {
                continue;
            }
            if (previous != null && Math.signum(common.get(previous).difference()) != sign) {
                changes.add("between " + setting.at(previous) + " and " + Numbers.plain(entry.getKey()) + " ("
                        + (sign > 0 ? a : b) + " ahead from there)");
            }
            previous = entry.getKey();
        }
        List<String> significant = new ArrayList<>();
        common.forEach((value, comparison) -> {
            if (comparison.significant()) {
                significant.add(Numbers.plain(value) + " (" + (comparison.difference() > 0 ? a : b) + ")");
            }
        });
        String leaders = changes.isEmpty()
                ? "Along the whole sweep the same norm has the higher mean."
                : "Along the sweep the higher mean changes hands " + changes.size() + (changes.size() == 1 ? " time: "
                        : " times: ") + String.join("; ", changes) + ".";
        String tested = significant.isEmpty()
                ? " At no " + setting.words() + " is the difference larger than seed noise at the 5 % level."
                : " Differences larger than seed noise at the 5 % level, at " + setting.words() + " "
                        + String.join(", ", significant) + "; the others are within seed noise.";
        return leaders + tested;
    }

    private static String end(String a, String b, SweptSetting setting, double value, Comparison comparison) {
        if (comparison.difference() == 0) {
            return "at " + setting.at(value) + ", they are level at " + Numbers.fixed(comparison.a().mean(), 4);
        }
        String leader = comparison.difference() > 0 ? a : b;
        return "at " + setting.at(value) + ", " + leader + " is ahead by "
                + Numbers.fixed(Math.abs(comparison.difference()), 4) + " (" + comparison.verdict() + ")";
    }
}
