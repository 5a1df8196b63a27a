"""Benchmark (not a test): cold start and warm invoke latency of a Python Lambda function on the embedded engine.

Each repeat runs in a fresh Python process (engine started anew, no warm environment, no interpreter cache
in memory); the cold invoke is the first Invoke of a new function, the warm figure the median of 20 invokes
that follow. Three functions: python3.12 importing nothing ("plain"), python3.12 importing boto3 and making a
client at init, as most lab functions do ("boto3"), and the same on the kernel's own Python version ("kernel":
the interpreter used when the runtime's Python is not installed). Median over REPEATS processes.

    python bench/lambda_latency.py            # prints a table
    python bench/lambda_latency.py --json     # one JSON document
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys

REPEATS = 5

PROBE = r'''
import json, statistics, sys, time
import labkit
labkit.engine()
lam = labkit.client("lambda")
role = labkit.lambda_role()
BOTO3 = "import boto3\ns3 = boto3.client('s3')\ndef handler(event, context):\n    return {'ok': True}\n"
CODE = {
    "plain": ("python3.12", "def handler(event, context):\n    return {'ok': True}\n"),
    "boto3": ("python3.12", BOTO3),
    "kernel": ("python%d.%d" % sys.version_info[:2], BOTO3),
}
out = {}
for kind, (runtime, code) in CODE.items():
    name = labkit.name("bench-" + kind)
    lam.create_function(FunctionName=name, Runtime=runtime, Role=role, Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": code})})
    began = time.perf_counter()
    reply = lam.invoke(FunctionName=name, Payload=b"{}")
    cold = (time.perf_counter() - began) * 1000
    assert "FunctionError" not in reply, reply["Payload"].read()
    warm = []
    for _ in range(20):
        began = time.perf_counter()
        lam.invoke(FunctionName=name, Payload=b"{}")
        warm.append((time.perf_counter() - began) * 1000)
    lam.delete_function(FunctionName=name)
    out[kind] = {"cold_ms": cold, "warm_ms": statistics.median(warm)}
print(json.dumps(out))
'''


def main() -> None:
    runs = []
    for _ in range(REPEATS):
        done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    result = {kind: {metric: round(statistics.median(run[kind][metric] for run in runs), 1)
                     for metric in ("cold_ms", "warm_ms")} for kind in runs[0]}
    if "--json" in sys.argv:
        print(json.dumps(result))
        return
    for kind, numbers in result.items():
        print(f"{kind:6} cold {numbers['cold_ms']:8.1f} ms   warm {numbers['warm_ms']:6.1f} ms  (median of {REPEATS})")


if __name__ == "__main__":
    main()
