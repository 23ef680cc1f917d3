#!/usr/bin/python3
"""Summarises the JSON lines of train_sequence_reference.py as a Markdown table: per norm, the mean final-epoch test
accuracy (and bits per character for text) over seeds, and the mean training seconds per epoch.
    /usr/bin/python3 scripts/pytorch/summarize_sequence_reference.py docs/results/sequence/parity/pytorch-transformer-fashion.jsonl
"""
import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
last = max(r["epoch"] for r in rows)
norms = list(dict.fromkeys(r["norm"] for r in rows))
text = any("bits_per_character" in r for r in rows)
print("| norm | seeds | final test accuracy | " + ("final bits per character | " if text else "")
      + "s / epoch (training steps only) |")
print("| --- | --- | --- | " + ("--- | " if text else "") + "--- |")
for n in norms:
    final = [r for r in rows if r["norm"] == n and r["epoch"] == last]
    accuracy = statistics.mean(r["test_accuracy"] for r in final)
    seconds = statistics.mean(r["train_seconds"] for r in rows if r["norm"] == n)
    bpc = (" %.4f |" % statistics.mean(r["bits_per_character"] for r in final)) if text else ""
    print("| %s | %d | %.4f |%s %.2f |" % (n, len(final), accuracy, bpc, seconds))
