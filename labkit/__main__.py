"""Command line: ``python -m labkit doctor``, ``serve``, ``env`` and ``hub-service``."""
from __future__ import annotations

import argparse
import sys

from .serve import DEFAULT_PORT


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser (``doctor``, ``serve``, ``hub-service``, ``env``)."""
    parser = argparse.ArgumentParser(prog="python -m labkit", description="labkit command line")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="show the engine, versions and which services answer")
    serve = commands.add_parser(
        "serve", help="run an embedded engine in the foreground for terminals and workshops (one account per student)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    serve.add_argument("--region", default="us-east-1")
    serve.add_argument("--students", type=int, help="workshop mode: issue N student keys (each its own account) "
                                                    "to the --keys file; only signed requests are served")
    serve.add_argument("--keys", help="workshop mode: the key file to write (with --students; default "
                                      "workshop-keys.json) or to reuse")
    hub = commands.add_parser(
        "hub-service", help="JupyterHub managed service: hands each hub user their workshop key, keeps the class's "
                            "progress (workshop/jupyterhub_config.py declares it)")
    hub.add_argument("--state", required=True, help="folder for the key assignments and the progress database")
    hub.add_argument("--keys", help="the key file of `labkit serve --students N` (shared engine); without it each "
                                    "student server embeds its own engine and the service only keeps progress")
    hub.add_argument("--engine-url", help="with --keys: the shared engine's address as students' servers reach it")
    hub.add_argument("--instructors-group", help="a hub group whose members read the class's progress (besides "
                                                 "hub admins)")
    hub.add_argument("--bind", help="address to listen on (default: the host of the service's url)")
    commands.add_parser(
        "env", help="print the export line that points a terminal's AWS CLI/SDKs at the running engine "
                    '(use: eval "$(python -m labkit env)")')
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    if arguments.command == "doctor":
        from .doctor import main as doctor

        return doctor()
    from .errors import LabkitError
    from .serve import running_engine_line, serve as run

    try:
        if arguments.command == "env":
            print(running_engine_line())
        elif arguments.command == "hub-service":
            from .hub_service import main as hub_service

            hub_service(arguments.state, arguments.keys, arguments.engine_url, arguments.instructors_group,
                        arguments.bind)
        else:
            run(arguments.host, arguments.port, arguments.region, arguments.students, arguments.keys)
    except LabkitError as exc:
        print(f"labkit: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
