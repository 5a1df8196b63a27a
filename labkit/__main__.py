"""Command line: ``python -m labkit doctor`` and ``python -m labkit serve``."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labkit", description="labkit command line")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="show the engine, versions and which services answer")
    serve = commands.add_parser("serve", help="run one embedded engine for a workshop (one account per student)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    serve.add_argument("--port", type=int, default=4566, help="port to listen on (default 4566)")
    serve.add_argument("--region", default="us-east-1")
    arguments = parser.parse_args(argv)
    if arguments.command == "doctor":
        from .doctor import main as doctor

        return doctor()
    from .errors import LabkitError
    from .serve import serve as run

    try:
        run(arguments.host, arguments.port, arguments.region)
    except LabkitError as exc:
        print(f"labkit: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
