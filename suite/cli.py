"""The ``opsuite`` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EPILOG = """\
examples:
  opsuite conformance                          specs on cpu, results under results/conformance/
  opsuite conformance --backend all            every built-in backend this machine has
  opsuite conformance --backend cpu --backend mypkg.backends:MY_DEVICE
  opsuite conformance -- -k median -n auto     anything after -- goes to pytest
  opsuite backends                             which built-in backends exist here, and why not

exit status: 0 all specs passed (or failed as known); 1 a spec failed or errored;
2 bad input (unknown backend, unwritable output, ...); 5 no spec ran.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="opsuite", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="PyTorch operator conformance: does each backend do what the docs promise?")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    conf = sub.add_parser(
        "conformance", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        help="run the conformance specs and write a results JSON",
        description="Run every conformance spec on each chosen backend (via pytest), print the "
                    "specs x backends matrix, and write one results JSON. Arguments after -- "
                    "are passed to pytest unchanged.")
    conf.add_argument("--backend", action="append", default=[], metavar="NAME",
                      help="built-in name (cpu, meta, cuda:0, compile-cpu, ...), a family "
                           "(cuda), 'all', or MODULE:OBJECT for your own suite.backends.Backend; "
                           "repeatable (default: cpu)")
    conf.add_argument("--output", metavar="PATH",
                      help="results file to create (default: a new file under "
                           "results/conformance/<machine>/); an existing file is never replaced")
    conf.add_argument("--known-divergences", metavar="PATH",
                      help="TOML file of known divergences (default: the one shipped with the specs)")
    conf.add_argument("--junitxml", metavar="PATH", help="also write JUnit XML for CI systems")
    conf.add_argument("pytest_args", nargs=argparse.REMAINDER,
                      help="after --: extra pytest arguments (-k EXPR, -n auto, -x, ...)")
    sub.add_parser("backends", help="list the built-in backends and whether each is available")
    return parser


def _conformance(args) -> int:
    import pytest

    import conformance
    from suite.machine import git_commit, machine_name
    from suite.results import default_path

    output = Path(args.output) if args.output else default_path(machine_name(), git_commit()["commit"])
    argv = [str(Path(conformance.__file__).parent), "--output", str(output)]
    for b in args.backend:
        argv += ["--backend", b]
    if args.known_divergences:
        argv += ["--known-divergences", args.known_divergences]
    if args.junitxml:
        argv += ["--junitxml", args.junitxml]
    extra = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
    return int(pytest.main(argv + extra))


def _backends() -> int:
    from suite.backends import builtin_backends

    for s in builtin_backends():
        state = "available" if s.available else f"unavailable: {s.reason}"
        print(f"{s.backend.name:<16} device={str(s.backend.device):<8} {state}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _conformance(args) if args.command == "conformance" else _backends()
    except KeyboardInterrupt:
        print("opsuite: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
