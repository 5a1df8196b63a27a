"""Benchmark: engine cold start, one fixed API workload's calls/s, memory, and per-lab execution time.

The workload (S3 put/get, SSM put/get parameter, SQS send/receive/delete) uses services both engines offer
offline; one untimed round first lets each engine load those services' code (that cost is in "first answer"
and start-up, not in throughput). Each probe runs REPEATS times, each in a fresh process; the median is kept.

    python bench/benchmark.py                      # embedded engine (+ LocalStack if one answers)
    python bench/benchmark.py --start-localstack   # start LocalStack's core on this host for the comparison
    python bench/benchmark.py --labs               # also time every lab notebook
    python bench/benchmark.py --three-labs         # memory of a Binder-like session with three labs open
    python bench/benchmark.py --json data/benchmark.json   # the numbers the book's Benchmarks page shows

Each measurement runs in a fresh Python process, so start-up costs are real cold starts.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORKLOAD_CALLS = 1400
REPEATS = 5  # this machine's calls/s vary by ±20 % from run to run

PROBE = r'''
import json, os, resource, sys, time
began = time.perf_counter()
import labkit
engine = labkit.engine()
s3 = labkit.client("s3")
s3.list_buckets()
start = time.perf_counter() - began

def rss_mb(pid="self"):
    with open(f"/proc/{pid}/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS")) / 1024

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
print(json.dumps({"engine": engine.name, "start_s": start, "engine_start_s": getattr(engine, "started_in", None), "calls": calls, "calls_per_s": calls / elapsed,
                  "rss_mb": rss_mb(), "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''


def run_probe(env: dict) -> dict:
    code = PROBE.replace("CALLS", str(WORKLOAD_CALLS))
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True,
                            text=True, timeout=600, cwd=ROOT)
    if result.returncode:
        raise SystemExit(f"benchmark probe failed ({env}):\n{result.stdout}{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def median_probe(env: dict) -> dict:
    """The probe run REPEATS times: each measure's median, and every run's calls/s.

    "First answer" is the first run's: only that one meets a LocalStack that has just started.
    """
    runs = [run_probe(env) for _ in range(REPEATS)]
    summary = {key: (statistics.median(run[key] for run in runs) if isinstance(value, float) else value)
               for key, value in runs[0].items()}
    return {**summary, "start_s": runs[0]["start_s"], "calls_per_s_runs": [round(run["calls_per_s"], 1) for run in runs]}


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


def three_labs_memory(names=("s3-basics", "lambda", "dynamodb")) -> dict:
    """A Binder-like session: three labs executed in three kernels that stay open; their total memory."""
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
            total[name] = round(tree_rss_mb(manager.provisioner.process.pid), 1)
        total["all three"] = round(sum(total.values()), 1)
    finally:
        for manager, client in kernels:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labs", action="store_true", help="also time every lab notebook")
    parser.add_argument("--json", type=pathlib.Path, help="write the results to this file")
    parser.add_argument("--three-labs", action="store_true",
                        help="memory of three labs open at once in three kernels (a Binder session)")
    parser.add_argument("--start-localstack", action="store_true",
                        help="start LocalStack's open-source core (tests/localstack.py) for the comparison")
    arguments = parser.parse_args()
    from labkit.engines.localstack import edge_url, health

    results = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "run_at": time.strftime("%Y-%m-%d")}
    results["embedded"] = median_probe({"LABKIT_ENGINE": "embedded"})
    url, process = edge_url(os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("LOCALSTACK_HOST")), None
    if arguments.start_localstack:
        sys.path.insert(0, str(ROOT / "tests"))
        import localstack

        localstack.HOME.mkdir(exist_ok=True)
        process, url, results["localstack_server_start_s"] = localstack.start(
            localstack.ensure_venv(localstack.find_python()))
    if health(url):
        results["localstack"] = median_probe({"LABKIT_ENGINE": "localstack", "AWS_ENDPOINT_URL": url})
        if process:  # LocalStack's own memory, which the notebook's RSS does not include
            results["localstack"]["server_rss_mb"] = round(tree_rss_mb(process.pid), 1)
        results["ratio_calls_per_s"] = results["embedded"]["calls_per_s"] / results["localstack"]["calls_per_s"]
    if process:
        localstack.stop(process)
    for name in ("embedded", "localstack"):
        if name in results:
            r = results[name]
            print(f"{name:10} first answer {r['start_s']:.2f} s   workload {r['calls_per_s']:.0f} calls/s   "
                  f"RSS {r['rss_mb']:.0f} MB (peak {r['max_rss_mb']:.0f} MB)")
    if results["embedded"]["engine_start_s"]:
        print(f"embedded engine start {results['embedded']['engine_start_s']:.2f} s"
              + (f" vs LocalStack server start {results['localstack_server_start_s']:.2f} s"
                 if "localstack_server_start_s" in results else ""))
    if "ratio_calls_per_s" in results:
        print(f"embedded/localstack throughput: {results['ratio_calls_per_s']:.1f}x")
    if arguments.labs:
        print("labs (embedded engine):")
        results["labs_s"] = time_labs()
        print(f"  {'total':28} {sum(results['labs_s'].values()):6.1f} s")
    if arguments.three_labs:
        results["three_labs_mb"] = three_labs_memory()
        print("three labs open (kernel + engine + Lambda workers, MB):", results["three_labs_mb"])
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
