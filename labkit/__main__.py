"""Command line: ``python -m labkit doctor``."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labkit", description="labkit command line")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="show the engine, versions and which services answer")
    arguments = parser.parse_args(argv)
    if arguments.command == "doctor":
        from .doctor import main as doctor

        return doctor()
    return 2


if __name__ == "__main__":
    sys.exit(main())
