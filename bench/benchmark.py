"""Benchmark: engine cold start, one fixed API workload's calls/s, memory, and per-lab execution time.

The workload (S3 put/get, SSM put/get parameter, SQS send/receive/delete) uses services both engines offer
offline.

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
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORKLOAD_CALLS = 600

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
calls = 0
began = time.perf_counter()
for i in range(CALLS // 7):
    s3.put_object(Bucket=bucket, Key=f"k{i}", Body=b"x" * 1024)
    s3.get_object(Bucket=bucket, Key=f"k{i}")["Body"].read()
    ssm.put_parameter(Name=f"{prefix}/p{i}", Value=str(i), Type="String")
    ssm.get_parameter(Name=f"{prefix}/p{i}")
    sqs.send_message(QueueUrl=queue, MessageBody=str(i))
    for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1).get("Messages", []):
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])  # as a consumer does
        calls += 1
    calls += 6
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
    results["embedded"] = run_probe({"LABKIT_ENGINE": "embedded"})
    url, process = edge_url(os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("LOCALSTACK_HOST")), None
    if arguments.start_localstack:
        sys.path.insert(0, str(ROOT / "tests"))
        import localstack

        localstack.HOME.mkdir(exist_ok=True)
        process, url, results["localstack_server_start_s"] = localstack.start(
            localstack.ensure_venv(localstack.find_python()))
    if health(url):
        results["localstack"] = run_probe({"LABKIT_ENGINE": "localstack", "AWS_ENDPOINT_URL": url})
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
