"""Benchmark: the embedded engine beside MiniStack and LocalStack core, side by side in one run.

For each engine, a fresh Python process (a notebook-like one) imports labkit, reaches or starts the engine, waits for
its first S3 answer ("first answer"), then runs one fixed workload (S3 put/get, SSM put/get parameter, SQS
send/receive/delete; one untimed round first lets each engine load those services) and reports its calls/s and
memory. The engines are measured in turn, A B C A B C …, REPEATS rounds, so a machine whose speed drifts (other
work on a shared machine) weighs on all of them alike; the medians are kept, and every run's figure is saved.

- embedded: labkit's engine in the probe's process, in-process dispatch (the default); ``embedded-http`` is the
  same engine with ``LABKIT_DISPATCH=http`` (every call over the keep-alive HTTP front), for comparison;
- ministack: labkit starts a MiniStack server (``labkit/engines/ministack.py``) from the probe, so its first answer
  includes starting the server, as the embedded engine's includes starting moto; its memory is the server's plus
  the probe's;
- localstack: LocalStack's core on this host (``--start-localstack`` starts one; its start-up is reported
  separately, since each probe reaches an already running server); its memory is the server's plus the probe's.

    python bench/benchmark.py                                    # embedded (both dispatches) and MiniStack
    python bench/benchmark.py --start-localstack --lambda --three-labs --json data/benchmark.json

``BENCH_CALLS=700``: a shorter workload (default 1400 calls), for a loaded machine.
``--lambda``: warm (and cold) Lambda invoke latency (bench/lambda_latency.py) on the embedded engine and MiniStack.
``--three-labs``: memory of a Binder-like session, three labs executed in three kernels that stay open.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORKLOAD_CALLS = int(os.environ.get("BENCH_CALLS", 1400))
REPEATS = 5  # this machine's calls/s vary by ±20 % from run to run

PROBE = r'''
import json, os, pathlib, resource, sys, time
began = time.perf_counter()
import labkit
engine = labkit.engine()
s3 = labkit.client("s3")
s3.list_buckets()
start = time.perf_counter() - began

def rss_mb(pid):
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    return next(int(l.split()[1]) for l in status.splitlines() if l.startswith("VmRSS")) / 1024

def children_rss_mb():
    """Resident memory of this process's descendants (a server it started, Lambda workers)."""
    total, pending = 0.0, [os.getpid()]
    while pending:
        current = pending.pop()
        try:
            for task in pathlib.Path(f"/proc/{current}/task").iterdir():
                kids = [int(c) for c in (task / "children").read_text().split()]
                pending += kids
                total += sum(rss_mb(k) for k in kids)
        except OSError:
            continue
    return total

ssm, sqs = labkit.client("ssm"), labkit.client("sqs")
bucket, prefix = labkit.name("bench"), "/" + labkit.name("bench")
s3.create_bucket(Bucket=bucket)
queue = sqs.create_queue(QueueName=labkit.name("bench"))["QueueUrl"]

def one_round(i):
    """Up to seven calls; returns how many were made."""
    s3.put_object(Bucket=bucket, Key=f"k{i}", Body=b"x" * 1024)
    s3.get_object(Bucket=bucket, Key=f"k{i}")["Body"].read()
    ssm.put_parameter(Name=f"{prefix}/p{i}", Value=str(i), Type="String")
    ssm.get_parameter(Name=f"{prefix}/p{i}")
    sqs.send_message(QueueUrl=queue, MessageBody=str(i))
    made = 6  # the five above and this receive
    for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1).get("Messages", []):
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])  # as a consumer does
        made += 1
    return made

one_round("warm-up")  # each engine loads a service's code on its first call: that is start-up, not throughput
calls = 0
began = time.perf_counter()
for i in range(CALLS // 7):
    calls += one_round(i)
elapsed = time.perf_counter() - began
print(json.dumps({"engine": engine.name, "start_s": start, "engine_start_s": getattr(engine, "started_in", None),
                  "calls": calls, "calls_per_s": calls / elapsed, "rss_mb": rss_mb("self"),
                  "children_rss_mb": children_rss_mb(),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''

ENGINES = {
    "embedded": {"LABKIT_ENGINE": "embedded", "LABKIT_DISPATCH": "inprocess"},
    "embedded-http": {"LABKIT_ENGINE": "embedded", "LABKIT_DISPATCH": "http"},
    "ministack": {"LABKIT_ENGINE": "ministack"},
}


def run_probe(env: dict) -> dict:
    code = PROBE.replace("CALLS", str(WORKLOAD_CALLS))
    environment = {**os.environ, **env}
    if env.get("LABKIT_ENGINE") != "localstack":
        environment.pop("AWS_ENDPOINT_URL", None)
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True,
                            timeout=600, cwd=ROOT)
    if result.returncode:
        raise SystemExit(f"benchmark probe failed ({env}):\n{result.stdout}{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def summarize(runs: list[dict], server_rss_mb: float | None = None) -> dict:
    """Each measure's median over the runs, and every run's calls/s and first answer."""
    summary = {key: (statistics.median(run[key] for run in runs) if isinstance(value, float) else value)
               for key, value in runs[0].items()}
    memory = summary["rss_mb"] + (server_rss_mb if server_rss_mb is not None else summary["children_rss_mb"])
    return {**summary, "memory_mb": round(memory, 1), "calls_per_s_runs": [round(r["calls_per_s"], 1) for r in runs],
            "start_s_runs": [round(r["start_s"], 3) for r in runs]}


def measure(engines: dict[str, dict], repeats: int) -> dict[str, list[dict]]:
    """Every engine's probe, in turn, ``repeats`` rounds (A B C A B C …)."""
    runs: dict[str, list[dict]] = {name: [] for name in engines}
    for round_number in range(repeats):
        for name, env in engines.items():
            runs[name].append(run_probe(env))
            print(f"  round {round_number + 1}: {name:14} first answer {runs[name][-1]['start_s']:.2f} s, "
                  f"{runs[name][-1]['calls_per_s']:.0f} calls/s", flush=True)
    return runs


def lambda_latency(engines: dict[str, dict]) -> dict:
    """bench/lambda_latency.py's medians on each engine (cold and warm invoke, ms)."""
    out = {}
    for name, env in engines.items():
        done = subprocess.run([sys.executable, str(ROOT / "bench" / "lambda_latency.py"), "--json"],
                              env={**os.environ, **env}, capture_output=True, text=True, timeout=900, cwd=ROOT)
        if done.returncode:
            out[name] = {"error": done.stderr.strip().splitlines()[-1][:300] if done.stderr.strip() else "failed"}
        else:
            out[name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"  Lambda on {name}: {out[name]}", flush=True)
    return out


def time_labs() -> dict[str, float]:
    import nbformat
    from nbclient import NotebookClient

    times = {}
    for path in sorted((ROOT / "labs").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        began = time.perf_counter()
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        times[path.stem] = time.perf_counter() - began
        print(f"  {path.stem:28} {times[path.stem]:6.1f} s", flush=True)
    return times


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (kernel, engine threads, Lambda workers)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = pathlib.Path(f"/proc/{current}/status").read_text()
            for task in pathlib.Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        total += next(int(l.split()[1]) for l in status.splitlines() if l.startswith("VmRSS")) / 1024
    return total


def rss_mb(pid: int) -> float:
    """Resident memory of one process (MB)."""
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    return next(int(l.split()[1]) for l in status.splitlines() if l.startswith("VmRSS")) / 1024


def descendants(pid: int) -> list[int]:
    """Every process started by ``pid`` and by its children (Lambda workers, servers), alive now."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        try:
            for task in pathlib.Path(f"/proc/{current}/task").iterdir():
                kids = [int(c) for c in (task / "children").read_text().split()]
                found += kids
                pending += kids
        except OSError:
            continue
    return found


def three_labs_memory(names=("s3-basics", "lambda", "dynamodb"), parts: dict | None = None) -> dict:
    """A Binder-like session: three labs executed in three kernels that stay open; their total memory.

    ``parts`` (a dict, optional) receives each lab's split: the kernel process itself, and its descendants (the
    Lambda workers still warm after the lab: idle ones stay up to labkit.lambda_runtime.environments.IDLE_SECONDS,
    as AWS keeps execution environments warm) with how many there are.
    """
    import nbformat
    from jupyter_client.manager import start_new_kernel
    from nbclient import NotebookClient

    kernels, total = [], {}
    try:
        for name in names:
            manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "labs"))
            kernels.append((manager, client))
            notebook = nbformat.read(ROOT / "labs" / f"{name}.ipynb", as_version=4)
            runner = NotebookClient(notebook, km=manager, kc=client, timeout=600)
            runner.kc = client
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type == "code" and "labkit.cleanup()" not in cell.source:
                    runner.execute_cell(cell, index)
            pid = manager.provisioner.process.pid
            total[name] = round(tree_rss_mb(pid), 1)
            if parts is not None:
                children = descendants(pid)
                kernel = rss_mb(pid)
                parts[name] = {"kernel_mb": round(kernel, 1), "descendants_mb": round(total[name] - kernel, 1),
                               "descendants": len(children)}
        total["all three"] = round(sum(total.values()), 1)
    finally:
        for manager, client in kernels:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    return total


LEARNER_IMPORTS = "import matplotlib.pyplot, pandas, ipywidgets"  # what the labs' own cells import


def kernel_baseline_memory() -> dict:
    """A kernel's memory with nothing run, and with the libraries the labs' own cells import (no labkit): what of a
    lab's memory is not the engine's."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "labs"))
    try:
        client.execute_interactive("pass", timeout=120)
        empty = rss_mb(manager.provisioner.process.pid)
        client.execute_interactive(LEARNER_IMPORTS, timeout=300)
        return {"empty_kernel_mb": round(empty, 1),
                "with_learner_libraries_mb": round(rss_mb(manager.provisioner.process.pid), 1),
                "learner_libraries": LEARNER_IMPORTS}
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def ratios(results: dict) -> dict:
    """embedded / other for calls/s (higher is better), and other / embedded for first answer and memory."""
    out = {}
    embedded = results["engines"]["embedded"]
    for name, other in results["engines"].items():
        if name == "embedded":
            continue
        out[name] = {"calls_per_s": round(embedded["calls_per_s"] / other["calls_per_s"], 2),
                     "first_answer": round(other["start_s"] / embedded["start_s"], 2),
                     "memory": round(other["memory_mb"] / embedded["memory_mb"], 2)}
    return out


TYPICAL_LAB_MB = 200  # issue 17's bars: kernel + engine after a typical lab; three labs open at once
THREE_LABS_MB = 600
QUIET_LOAD = 3.0  # a run that starts with a higher load average is recorded, but its ratios are doubtful


def bars(results: dict) -> list[dict]:
    """Each of issue 17's bars for the embedded engine, judged on ``results`` (a benchmark.json): ``bar``, what
    was measured (``value``), the ``target`` and whether it is ``met`` (None: not measured in this run).

    First answer at or below MiniStack's; calls/s at or above MiniStack's and at least 6x LocalStack's; the probe
    process (kernel-like, after the workload) and each lab's kernel (with its Lambda workers) at most 200 MB; three
    labs open at most 600 MB.
    """
    engines = results.get("engines", {})
    embedded, ministack, localstack = (engines.get(n) for n in ("embedded", "ministack", "localstack"))
    labs = results.get("three_labs_mb") or {}
    per_lab = {name: mb for name, mb in labs.items() if name != "all three"}
    out = []

    def bar(name, value, target, met):
        out.append({"bar": name, "value": value, "target": target, "met": met})

    if embedded and ministack:
        bar("first answer ≤ MiniStack's (s)", round(embedded["start_s"], 2), round(ministack["start_s"], 2),
            embedded["start_s"] <= ministack["start_s"])
        bar("calls/s ≥ MiniStack's", round(embedded["calls_per_s"]), round(ministack["calls_per_s"]),
            embedded["calls_per_s"] >= ministack["calls_per_s"])
    else:
        bar("first answer ≤ MiniStack's (s)", embedded and round(embedded["start_s"], 2), None, None)
        bar("calls/s ≥ MiniStack's", embedded and round(embedded["calls_per_s"]), None, None)
    if embedded and localstack:
        bar("calls/s ≥ 6 × LocalStack's", round(embedded["calls_per_s"]), round(6 * localstack["calls_per_s"]),
            embedded["calls_per_s"] >= 6 * localstack["calls_per_s"])
    else:
        bar("calls/s ≥ 6 × LocalStack's", embedded and round(embedded["calls_per_s"]), None, None)
    if embedded:
        bar("probe process after the workload (MB)", embedded["memory_mb"], TYPICAL_LAB_MB,
            embedded["memory_mb"] <= TYPICAL_LAB_MB)
    for name, mb in per_lab.items():
        bar(f"{name} lab's kernel + workers (MB)", mb, TYPICAL_LAB_MB, mb <= TYPICAL_LAB_MB)
    bar("three labs open (MB)", labs.get("all three"), THREE_LABS_MB,
        None if "all three" not in labs else labs["all three"] <= THREE_LABS_MB)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=REPEATS, help=f"rounds of every engine (default {REPEATS})")
    parser.add_argument("--json", type=pathlib.Path, help="write the results to this file")
    parser.add_argument("--labs", action="store_true", help="also time every lab notebook")
    parser.add_argument("--lambda", dest="lambda_", action="store_true", help="Lambda invoke latency too")
    parser.add_argument("--three-labs", action="store_true",
                        help="memory of three labs open at once in three kernels (a Binder session)")
    parser.add_argument("--start-localstack", action="store_true",
                        help="start LocalStack's open-source core (tests/localstack.py) for the comparison")
    parser.add_argument("--no-ministack", action="store_true", help="leave MiniStack out")
    arguments = parser.parse_args()
    from labkit.engines.localstack import edge_url, health
    from labkit.engines.ministack import find_python as ministack_python

    # each probe imports labkit from this checkout: with its bytecode, as an installed labkit has it (pip and uv
    # compile at install), not recompiled by every probe where PYTHONDONTWRITEBYTECODE is set (CI sets it)
    compileall.compile_dir(ROOT / "labkit", quiet=1)
    engines = dict(ENGINES)
    if arguments.no_ministack or ministack_python() is None:
        engines.pop("ministack")
        print("MiniStack left out (python -m labkit.engines.ministack install makes its environment)")
    results = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                           "load_average_at_start": list(os.getloadavg())},
               "run_at": time.strftime("%Y-%m-%d"), "repeats": arguments.repeats, "workload_calls": WORKLOAD_CALLS}
    url, process, server_rss = edge_url(os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("LOCALSTACK_HOST")), None, None
    if arguments.start_localstack:
        sys.path.insert(0, str(ROOT / "tests"))
        import localstack

        localstack.HOME.mkdir(exist_ok=True)
        process, url, results["localstack_server_start_s"] = localstack.start(
            localstack.ensure_venv(localstack.find_python()))
    if health(url):
        engines["localstack"] = {"LABKIT_ENGINE": "localstack", "AWS_ENDPOINT_URL": url}
    try:
        runs = measure(engines, arguments.repeats)
        if process:  # LocalStack's own memory, which the probe's does not include
            server_rss = round(tree_rss_mb(process.pid), 1)
    finally:
        if process:
            localstack.stop(process)
    results["engines"] = {name: summarize(engine_runs, server_rss if name == "localstack" else None)
                          for name, engine_runs in runs.items()}
    results["ratios_vs_embedded"] = ratios(results)
    results["machine"]["load_average_at_end"] = list(os.getloadavg())
    print(f"{'engine':14} {'first answer':>13} {'calls/s':>8} {'memory MB':>10}")
    for name, r in results["engines"].items():
        print(f"{name:14} {r['start_s']:11.2f} s {r['calls_per_s']:8.0f} {r['memory_mb']:10.0f}")
    for name, ratio in results["ratios_vs_embedded"].items():
        print(f"embedded vs {name}: {ratio['calls_per_s']:.2f}x its calls/s; its first answer took "
              f"{ratio['first_answer']:.2f}x as long and its memory is {ratio['memory']:.2f}x embedded's")
    if arguments.lambda_:
        print("Lambda invoke latency (ms, medians):")
        results["lambda_ms"] = lambda_latency({name: env for name, env in engines.items()
                                               if name in ("embedded", "ministack")})
    if arguments.labs:
        print("labs (embedded engine):")
        results["labs_s"] = time_labs()
        print(f"  {'total':28} {sum(results['labs_s'].values()):6.1f} s")
    if arguments.three_labs:
        results["three_labs_parts"] = {}
        results["three_labs_mb"] = three_labs_memory(parts=results["three_labs_parts"])
        print("three labs open (kernel + engine + Lambda workers, MB):", results["three_labs_mb"])
        print("  each lab's kernel and its Lambda workers:", results["three_labs_parts"])
        results["kernel_baseline_mb"] = kernel_baseline_memory()
        print("  a kernel without labkit:", results["kernel_baseline_mb"])
    results["bars"] = bars(results)
    print("bars:")
    for b in results["bars"]:
        verdict = {True: "met", False: "NOT met", None: "not measured"}[b["met"]]
        print(f"  {b['bar']:42} {b['value']!s:>8} vs {b['target']!s:>8}  {verdict}")
    if results["machine"]["load_average_at_start"][0] > QUIET_LOAD:
        print(f"load average {results['machine']['load_average_at_start'][0]:.1f} > {QUIET_LOAD}: the ratios are "
              "doubtful; re-run on a quiet machine before recording them")
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
