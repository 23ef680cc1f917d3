#!/usr/bin/python3
"""Epoch times of training as users run it, normkit's `experiment` against PyTorch's train_reference.py, in rounds.

OPTIONAL: normkit does not need Python; this only produces the figures of the README block `results:training-epochs`
(docs/training-throughput.md says how to read them).

What is timed, on both sides the same way:
    nets      mlp and lenet with and without BatchNorm (train_reference.py's docstring gives the nets; normkit's
              `experiment` builds the same ones), batch 128, full Fashion-MNIST training set (60,000 images, or the
              first --limit-train), float32, seed 0
    process   each (side, net, norm) in a process of its own, started afresh, so every run pays its own warm-up
              as a user's first run does: normkit's JVM and JIT, PyTorch's allocator
    an epoch  the wall time of the epoch's training loop: gathering each batch, forward, loss, backward, optimizer
              step (normkit: the `seconds` column of results.csv; PyTorch: train_reference.py's `epochSeconds`);
              the test pass after each epoch is not in it
    JVM       normkit's runs also keep the JIT's and the garbage collectors' seconds of each epoch (results.csv's
              jit_seconds, gc_seconds) as jitSeconds, gcSeconds, and the summary their medians like the epochs',
              so the README can say how much of epoch 1's excess is compilation
    a command the wall time of the whole process, from its start to its exit (commandSeconds; start-up, data
              loading, the norms' check, the test passes and the report included), and what of it lies outside the
              epochs (outsideEpochsSeconds): a change that only moves epoch 1's cost into start-up (a warm-up before
              the first epoch, a pre-touched heap) leaves commandSeconds where it was and raises outsideEpochsSeconds;
              beside it the CPU seconds of the whole process tree (commandCpuSeconds: user + system of the command
              and every process it waited for, from getrusage(RUSAGE_CHILDREN)), which other work on the machine
              inflates far less than the wall seconds, and which counts the JIT's and collectors' threads too
    who ran   normkit's runs also keep the CPU seconds of the JVM's threads per epoch (threadCpuSeconds: the
              training thread, the C1 and C2 compiler threads, the vector warm-up thread, the collector's threads,
              the rest), read from /proc/<pid>/task/*/stat when each epoch's line appears on stdout, and at the line
              `engine: ...` printed just before training starts; an interval is an epoch with its test pass (the
              first also the net's construction). On two cores an epoch lasts at least the process's CPU seconds in
              it ÷ 2, so this says whether epoch 1 waits for the training thread's own warm-up or for the
              compilers beside it. Reading /proc a few times a run costs nothing measurable; without /proc (or
              when the JVM's pid cannot be found) the field is left out.
    threads   --threads (default 1) on both sides: normkit --threads and OPENBLAS_NUM_THREADS; PyTorch
              torch.set_num_threads and OpenBLAS's own pool

Rounds: --rounds R runs every (net, norm) R times, normkit then PyTorch in one round and PyTorch then normkit in the
next, so a machine busy with other work slows both alike; the result file keeps every epoch of every run, the load
average at each round's start and end, the commit and the date.

    /usr/bin/python3 scripts/pytorch/epoch_times.py --rounds 3 --out docs/results/training-epochs/results.json
    /usr/bin/python3 scripts/pytorch/epoch_times.py --rounds 1 --epochs 2 --limit-train 2560 --out /tmp/t.json
"""
import argparse
import csv
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
BATCH = 128
CONFIGS = [("mlp", "none"), ("mlp", "batch_norm"), ("lenet", "none"), ("lenet", "batch_norm")]


def run_timed(cmd, **kwargs):
    """subprocess.run(cmd) with its wall seconds and its CPU seconds (user + system of the process and of every
    descendant it waited for: the children's rusage before and after, as the runs here go one at a time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    wall = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done, wall, cpu


# The JVM's threads by name (/proc's comm, cut to 15 characters): "java" is the launcher's main thread, which runs
# the training at --threads 1 (the primordial thread only waits for it).
THREAD_GROUPS = (("training", lambda n: n == "java"), ("c2", lambda n: n.startswith("C2 CompilerThre")),
                 ("c1", lambda n: n.startswith("C1 CompilerThre")), ("warmUp", lambda n: n.startswith("normkit-vector")),
                 ("gc", lambda n: n.startswith("GC Thread")))
EPOCH_LINE = re.compile(r" epoch (\d+)/(\d+):")


def proc_stat(path):
    """The name (comm) and the fields after it of a /proc stat file (a process's or a thread's)."""
    with open(path) as f:
        stat = f.read()
    return stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()


def java_pid(root):
    """The pid of the java process under the launcher process root (the launcher is a shell script), or None."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            name, fields = proc_stat(f"/proc/{entry}/stat")
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append((int(entry), name))
    todo = [root]
    while todo:
        for pid, name in children.get(todo.pop(), []):
            if name == "java":
                return pid
            todo.append(pid)
    return None


def thread_cpu(pid):
    """CPU seconds (user + system) of each thread group of process pid so far; threads that ended are not in
    it (the groups' threads live as long as the JVM)."""
    tick = os.sysconf("SC_CLK_TCK")
    groups = {name: 0.0 for name, _ in THREAD_GROUPS}
    groups["other"] = 0.0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name, fields = proc_stat(f"/proc/{pid}/task/{tid}/stat")
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / tick
        group = next((g for g, test in THREAD_GROUPS if test(name)), "other")
        groups[group] += seconds
    return groups


def run_watched(cmd, **kwargs):
    """run_timed for normkit: the same wall and CPU seconds, and the JVM's thread CPU (thread_cpu) when the line
    that starts training and each epoch's line appear on stdout; returns (returncode, stdout, stderr, wall, cpu,
    snapshots), snapshots in line order, or None when they could not be read."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    errors = []
    drain = threading.Thread(target=lambda: errors.append(process.stderr.read()))
    drain.start()
    out = []
    snapshots = []
    pid = None
    for line in process.stdout:
        out.append(line)
        if snapshots is not None and (line.startswith("engine:") or EPOCH_LINE.search(line)):
            try:
                pid = pid or java_pid(process.pid)
                snapshots.append(thread_cpu(pid) if pid else None)
            except OSError:
                snapshots = None
    process.wait()
    drain.join()
    wall = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if snapshots is not None and (not snapshots or any(s is None for s in snapshots)):
        snapshots = None
    return process.returncode, "".join(out), "".join(errors), wall, cpu, snapshots


def normkit_epochs(net, norm, args):
    """One fresh `normkit experiment` run; returns its epoch seconds, in order, and the JVM's seconds per epoch
    ({"jitSeconds": [...], "gcSeconds": [...]}: JIT compilation and garbage collection while each epoch trained, from
    results.csv's jit_seconds and gc_seconds; empty when the build does not record them) with the whole command's
    wall seconds ("commandSeconds") and CPU seconds ("commandCpuSeconds")."""
    with tempfile.TemporaryDirectory(prefix="normkit-epochs-") as out:
        cmd = [os.path.join(ROOT, "normkit"), "experiment", "--net", net, "--norms", norm,
               "--epochs", str(args.epochs), "--seeds", "1", "--batch-size", str(BATCH),
               "--threads", str(args.threads), "--no-progress", "--out", out]
        if args.limit_train:
            cmd += ["--limit-train", str(args.limit_train)]
        if args.data != DEFAULT_DATA:
            cmd += ["--data", args.data]
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads))
        returncode, stdout, stderr, command, cpu, snapshots = run_watched(cmd, env=env, cwd=ROOT)
        results = os.path.join(out, "results.csv")
        if returncode != 0 or not os.path.exists(results):
            raise SystemExit(f"normkit experiment --net {net} --norms {norm} failed (exit code {returncode}):\n"
                             f"{stdout}{stderr}")
        with open(results, newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["net"] == net and r["norm"] == norm]
        rows.sort(key=lambda r: int(r["epoch"]))
        if len(rows) != args.epochs:
            raise SystemExit(f"normkit experiment --net {net} --norms {norm}: {len(rows)} epochs in {results}, "
                             f"expected {args.epochs}")
        jvm = {}
        for column, key in (("jit_seconds", "jitSeconds"), ("gc_seconds", "gcSeconds")):
            if all(r.get(column) not in (None, "") for r in rows):
                jvm[key] = [float(r[column]) for r in rows]
        jvm["commandSeconds"] = command
        jvm["commandCpuSeconds"] = cpu
        # One snapshot as training starts and one per epoch: the differences are each epoch's (with its test pass).
        if snapshots and len(snapshots) == args.epochs + 1:
            jvm["threadCpuSeconds"] = {group: [round(snapshots[i + 1][group] - snapshots[i][group], 2)
                                               for i in range(args.epochs)] for group in snapshots[0]}
        return [float(r["seconds"]) for r in rows], jvm


def pytorch_epochs(net, norm, args):
    """One fresh train_reference.py process; returns its epoch seconds, in order, the torch version and the whole
    command's wall and CPU seconds."""
    with tempfile.TemporaryDirectory(prefix="pytorch-epochs-") as out:
        target = os.path.join(out, "result.json")
        cmd = [sys.executable, os.path.join(HERE, "train_reference.py"), "--net", net, "--norm", norm,
               "--epochs", str(args.epochs), "--seeds", "0", "--threads", str(args.threads), "--out", target]
        if args.limit_train:
            cmd += ["--limit-train", str(args.limit_train)]
        if args.data != DEFAULT_DATA:
            cmd += ["--data", args.data]
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
        done, command, cpu = run_timed(cmd, env=env)
        if done.returncode != 0 or not os.path.exists(target):
            raise SystemExit(f"train_reference.py --net {net} --norm {norm} failed (exit code {done.returncode}):\n"
                             f"{done.stdout}{done.stderr}")
        with open(target) as f:
            doc = json.load(f)
        return [row["epochSeconds"] for row in doc["rows"]], doc["torch"], command, cpu


def epoch_one_split(jvm):
    """", epoch 1: training thread T s, compilers C s, warm-up W s CPU" from a normkit run's threadCpuSeconds, or ""."""
    split = jvm.get("threadCpuSeconds")
    if not split:
        return ""
    return (f", epoch 1: training thread {split['training'][0]:.2f} s, compilers "
            f"{split['c1'][0] + split['c2'][0]:.2f} s, warm-up {split['warmUp'][0]:.2f} s CPU")


def git_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write(args, configs, runs, rounds, started, torch_version):
    """Writes the result file (atomically) from the runs so far; returns its summary."""
    summary = []
    for net, norm in configs:
        row = {"net": net, "norm": norm}
        for side in ("normkit", "pytorch"):
            mine = [run["epochSeconds"] for run in runs if run["side"] == side and run["net"] == net
                    and run["norm"] == norm]
            row[side] = {"firstEpoch": statistics.median(s[0] for s in mine),
                         "laterEpoch": statistics.median(statistics.median(s[1:]) for s in mine)}
            for key in ("jitSeconds", "gcSeconds"):
                jvm = [run[key] for run in runs if run["side"] == side and run["net"] == net
                       and run["norm"] == norm and key in run]
                if jvm and len(jvm) == len(mine):
                    # Same medians as the seconds: epoch 1 over the rounds, and the rounds' medians of epochs 2 on.
                    row[side][key] = {"firstEpoch": statistics.median(s[0] for s in jvm),
                                      "laterEpoch": statistics.median(statistics.median(s[1:]) for s in jvm)}
            whole = [run for run in runs if run["side"] == side and run["net"] == net and run["norm"] == norm
                     and "commandSeconds" in run]
            if whole and len(whole) == len(mine):
                row[side]["commandSeconds"] = statistics.median(run["commandSeconds"] for run in whole)
                row[side]["outsideEpochsSeconds"] = statistics.median(
                    run["commandSeconds"] - sum(run["epochSeconds"]) for run in whole)
            split = [run["threadCpuSeconds"] for run in runs if run["side"] == side and run["net"] == net
                     and run["norm"] == norm and "threadCpuSeconds" in run]
            if split and len(split) == len(mine):
                row[side]["threadCpuSeconds"] = {
                    group: {"firstEpoch": round(statistics.median(s[group][0] for s in split), 3),
                            "laterEpoch": round(statistics.median(statistics.median(s[group][1:]) for s in split), 3)}
                    for group in split[0]}
            cpu = [run["commandCpuSeconds"] for run in whole if "commandCpuSeconds" in run]
            if whole and len(cpu) == len(mine):
                row[side]["commandCpuSeconds"] = statistics.median(cpu)
        summary.append(row)
    doc = {"batch": BATCH, "threads": args.threads, "epochs": args.epochs, "rounds": rounds,
           "trainImages": args.limit_train or 60000,
           "unit": "seconds of an epoch's training loop; firstEpoch: median over rounds of epoch 1; laterEpoch: "
                   "median over rounds of the median of epochs 2 on; commandSeconds: median over rounds of the whole "
                   "process's wall seconds, outsideEpochsSeconds: of those seconds minus the epochs'; "
                   "commandCpuSeconds: median over rounds of the whole process tree's CPU seconds (user + system); "
                   "threadCpuSeconds: CPU seconds of the JVM's thread groups in an epoch and its test pass, medians "
                   "as for the epochs",
           "summary": summary, "runs": runs, **({"note": args.note} if args.note else {}),
           "machine": {"commit": git_commit(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
                       "minutes": round((time.time() - started) / 60, 1), "torch": torch_version,
                       "python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
                       "cores": os.cpu_count()}}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, args.out)
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="alternated rounds (default 3)")
    ap.add_argument("--epochs", type=int, default=3, help="epochs per run (default 3; at least 2, for a later one)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--limit-train", type=int, default=0, help="train on the first N images only (a quick check)")
    ap.add_argument("--configs", default=",".join(f"{n}/{m}" for n, m in CONFIGS),
                    help="NET/NORM list (default: mlp and lenet, each with none and batch_norm)")
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", required=True, help="result file (JSON), written atomically")
    ap.add_argument("--note", help="a sentence the README block prints under the table (e.g. that this was a "
                    "functional check on a busy machine)")
    args = ap.parse_args()
    if args.epochs < 2:
        raise SystemExit(f"--epochs {args.epochs}: at least 2, so that epoch 1 can be held against a later one")
    if args.rounds < 1:
        raise SystemExit(f"--rounds {args.rounds}: at least 1")
    configs = []
    for item in args.configs.split(","):
        net, _, norm = item.strip().partition("/")
        if net not in ("mlp", "lenet") or norm not in ("none", "batch_norm"):
            raise SystemExit(f"--configs {item}: NET/NORM with NET mlp or lenet and NORM none or batch_norm")
        configs.append((net, norm))
    # The launcher builds normkit on its first use: a build inside the first timed command would count as start-up.
    built = subprocess.run([os.path.join(ROOT, "normkit"), "experiment", "--help"], capture_output=True, text=True,
                           cwd=ROOT)
    if built.returncode != 0:
        raise SystemExit(f"normkit did not build or start (exit code {built.returncode}):\n{built.stdout}{built.stderr}")
    started = time.time()
    runs = []
    torch_version = None
    for r in range(args.rounds):
        load_start = os.getloadavg()[0]
        sides = ["normkit", "pytorch"] if r % 2 == 0 else ["pytorch", "normkit"]
        for net, norm in configs:
            for side in sides:
                jvm = {}
                if side == "normkit":
                    seconds, jvm = normkit_epochs(net, norm, args)
                else:
                    seconds, torch_version, command, cpu = pytorch_epochs(net, norm, args)
                    jvm = {"commandSeconds": command, "commandCpuSeconds": cpu}
                runs.append({"round": r + 1, "side": side, "net": net, "norm": norm, "epochSeconds": seconds,
                             **jvm})
                print(f"round {r + 1}/{args.rounds} {side:<8} {net:<6} {norm:<11} epochs "
                      + " / ".join(f"{s:.2f}" for s in seconds) + f" s, whole command {jvm['commandSeconds']:.2f} s"
                      + f" ({jvm['commandCpuSeconds']:.2f} s CPU)" + epoch_one_split(jvm),
                      flush=True)
        runs_of_round = [run for run in runs if run["round"] == r + 1]
        for run in runs_of_round:
            run["loadAverage"] = [load_start, os.getloadavg()[0]]
        # Written after every round: a run stopped by a time limit keeps the rounds it completed.
        summary = write(args, configs, runs, r + 1, started, torch_version)
    for row in summary:
        nk, pt = row["normkit"], row["pytorch"]
        print(f"{row['net']:<6} {row['norm']:<11} normkit {nk['firstEpoch']:.2f} then {nk['laterEpoch']:.2f} s "
              f"(whole command {nk['commandSeconds']:.2f} s), PyTorch {pt['firstEpoch']:.2f} then "
              f"{pt['laterEpoch']:.2f} s (whole command {pt['commandSeconds']:.2f} s)")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
