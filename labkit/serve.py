"""``python -m labkit serve``: one embedded engine for a whole class, each student in their own account."""
from __future__ import annotations

import signal
import threading

from .engines.embedded import EmbeddedEngine


def serve(host: str, port: int, region: str) -> None:
    """Run the engine in the foreground until interrupted (Ctrl-C or SIGTERM)."""
    engine = EmbeddedEngine(region, port=port, host=host).start()
    print(f"labkit engine serving at http://{host}:{engine.port} (region {region}).\n"
          f"Students: AWS_ENDPOINT_URL=http://<this host>:{engine.port} and LABKIT_ACCOUNT_ID=<12 digits, one each>.",
          flush=True)
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    engine.stop()
