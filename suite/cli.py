"""The ``opsuite`` command."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EPILOG = """\
examples:
  opsuite conformance                          specs on cpu, results under results/conformance/
  opsuite conformance --backend all            every built-in backend this machine has
  opsuite conformance --backend cpu --backend mypkg.backends:MY_DEVICE
  opsuite conformance -- -k median -n auto     anything after -- goes to pytest
  opsuite backends                             which built-in backends exist here, and why not
  opsuite bench cdist --device cpu --quick     asv, once per benchmark, nothing saved
  opsuite compare a.json b.json results/asv/*  what differs between machines, --baseline NAME
  opsuite report                               results/README.md and charts, every machine
  opsuite dashboard                            asv's pages under results/html, offline
  opsuite coverage --update README.md          ops x claims x backends table from the newest run
  opsuite selfcheck --op torch.sum             do the specs catch generated broken backends?
  opsuite surface torch.sum                    the documented surface the checks vary
  opsuite claims                               check the seed articles' speed claims on cpu (+ cuda)
  opsuite claims --claim cdist-mm --pairs 41   one claim, more paired runs

exit status: 0 all specs passed (or failed as known); 1 a spec failed or errored;
2 bad input (unknown backend, unwritable output, ...); 5 no spec ran.
"""


class _Parser(argparse.ArgumentParser):
    """An epilog may be a function, called only when help is shown: listing the benchmark
    cases or the claims imports torch, which a command's parsing should not wait for."""

    def format_help(self):
        if callable(self.epilog):
            self.epilog = self.epilog()
        return super().format_help()


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="opsuite", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="PyTorch operator conformance: does each backend do what the docs promise?")
    from suite import __version__

    parser.add_argument("--version", action="version", version=f"opsuite {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                parser_class=_Parser)
    conf = sub.add_parser(
        "conformance", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        help="run the conformance specs and write a results JSON",
        description="Run every conformance spec on each chosen backend (via pytest), print the "
                    "specs x backends matrix, and write one results JSON. Arguments after -- "
                    "are passed to pytest unchanged; paths among them (files, folders, node ids) "
                    "run instead of the whole suite. Each case runs in a worker process, so a "
                    "backend that crashes costs only that case (-- -n 0 runs in-process, for "
                    "--pdb), and each case has a time limit (-- --timeout SECONDS, default 300).")
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
    bench = sub.add_parser(
        "bench", help="run the asv benchmarks here and keep the results under results/asv/",
        description="Run asv over the chosen benchmark cases (default: all) in this environment, "
                    "filed under this machine's name and the current commit. --quick runs each "
                    "benchmark once and keeps nothing. For history across commits in asv's own "
                    "environments, use `make bench` (asv run NEW).",
        epilog=lambda: "cases: " + ", ".join(_case_names()))
    bench.add_argument("cases", nargs="*", metavar="CASE", help="benchmark cases (default: all)")
    bench.add_argument("--device", metavar="DEVICE", help="only this device (cpu or cuda)")
    bench.add_argument("--quick", action="store_true", help="each benchmark once, nothing saved")
    speed = sub.add_parser(
        "speed", help="asv times as GB/s, GFLOP/s and %% of this machine's roofline",
        description="Turn the times of an asv results file into achieved GB/s and GFLOP/s and "
                    "the percentage of the roofline, using the copy-bandwidth and matmul "
                    "ceilings measured in the same asv run.")
    speed.add_argument("results", nargs="?", metavar="RESULTS.json",
                       help="asv results file (default: the newest of this machine under "
                            "results/asv/)")
    compare = sub.add_parser(
        "compare", help="what differs between machines: conformance outcomes, observations, speed",
        description="Compare results kept from several machines (or backends). From conformance "
                    "results files: the specs whose outcome differs between machine:backend "
                    "columns (a skip alone does not count as a difference), with the claim and "
                    "a repro line, and the recorded observations that differ. From asv result "
                    "folders (their newest results file) or files: benchmark x machine tables of "
                    "seconds, time relative to the baseline machine, and % of each machine's "
                    "own roofline; machines with another torch version than the baseline's, and "
                    "benchmarks the baseline lacks, are listed apart as not compared. Every "
                    "input is read before anything is printed.")
    compare.add_argument("inputs", nargs="+", metavar="RESULTS",
                         help="conformance results JSON, asv results folder (e.g. "
                              "results/asv/<machine>) or asv results JSON")
    compare.add_argument("--baseline", metavar="NAME",
                         help="machine the speed ratios are relative to (default: the first "
                              "asv input); a repeated machine name is NAME#2, NAME#3, ...")
    compare.add_argument("--format", choices=["text", "markdown", "csv"], default="text",
                         help="text (default); markdown, for a pull-request comment; csv, one "
                              "CSV block per table, each after a '# TITLE' line and separated "
                              "by a blank line")
    compare.add_argument("--skip-bad", action="store_true",
                         help="leave out an input that cannot be read, with a warning, instead "
                              "of stopping (exit 2)")
    report = sub.add_parser(
        "report", help="write results/README.md and charts from every machine's newest results",
        description="Read the newest conformance results file of each machine under "
                    "results/conformance/ and the newest asv results of each machine under "
                    "results/asv/, and write results/README.md (the tables of `opsuite compare` "
                    "in markdown, and outcome counts per machine and backend) with PNG charts "
                    "under results/charts/: claims upheld per op as a heat map, each "
                    "benchmark's time relative to the baseline machine, and its % of each "
                    "machine's own roofline. Files are replaced whole (written, then renamed).")
    report.add_argument("--results", metavar="DIR",
                        help="the results folder to read and write (default: results/ of this "
                             "checkout)")
    report.add_argument("--baseline", metavar="NAME",
                        help="machine the speed ratios are relative to (default: the first "
                             "machine with asv results, by name)")
    report.add_argument("--skip-bad", action="store_true",
                        help="leave out a results file that cannot be read, with a warning, "
                             "instead of stopping (exit 2)")
    dash = sub.add_parser(
        "dashboard", help="publish asv's dashboard so that it works with no network",
        description="Run `asv publish` and copy the scripts its pages take from public CDNs "
                    "(jQuery, flot, bootstrap, ...) beside them from local packages, so that "
                    "the pages under html_dir (results/html) render from a folder on a machine "
                    "with no internet. Open index.html through a web server, e.g. `asv preview` "
                    "or `python -m http.server -d results/html`.")
    dash.add_argument("--config", metavar="PATH", default="asv.conf.json",
                      help="asv's configuration (default: asv.conf.json)")
    cover = sub.add_parser(
        "coverage", help="ops x claims x backends, from a conformance results file",
        description="For each op: how many documented claims its specs encode, and per backend "
                    "how many of them the run upheld (every record passed) of those it judged "
                    "(not all skipped). Markdown, for the README or a pull request.")
    cover.add_argument("results", nargs="?", metavar="RESULTS.json",
                       help="conformance results file (default: the newest under "
                            "results/conformance/)")
    cover.add_argument("--update", metavar="FILE",
                       help="rewrite the table between the coverage markers in FILE "
                            "(e.g. README.md) instead of printing it")
    cover.add_argument("--surface", metavar="RECORDED.json",
                       help="add the documented-surface columns (params, dtypes, gradient, "
                            "layouts, forms, gaps) from a conformance run recorded with "
                            "--record-surface (default: RESULTS itself, if it was recorded so; "
                            "with --check, else the newest such run under results/conformance/)")
    cover.add_argument("--measure", action="store_true",
                       help="first record one: run the specs on cpu with --record-surface "
                            "(a few minutes), into a new file under results/conformance/")
    cover.add_argument("--check", action="store_true",
                       help="list every surface gap of a covered op that no exemption in "
                            "conformance/exemptions.toml explains, and exit 1 if there is one")
    surf = sub.add_parser(
        "surface", help="the documented surface of every covered op (conformance/surface.json)",
        description="Print, or with --update rebuild from the installed torch, the surface data "
                    "the surface checks, `coverage` and `selfcheck` use: per covered op its "
                    "parameters and defaults, the dtypes it supports per device type (PyTorch's "
                    "OpInfo declarations, else conformance/surface_stated.toml), whether it is "
                    "differentiable, its in-place and out= variants. --update needs the "
                    "'surface' extra (expecttest) and collects the specs to find the ops.")
    surf.add_argument("op", nargs="?", help="one op's entry (default: a line per op)")
    surf.add_argument("--update", action="store_true",
                      help="rebuild conformance/surface.json from the installed torch")
    check = sub.add_parser(
        "selfcheck", help="do the specs catch generated non-conforming backends? kill rate per op",
        description="Generate, from the documented surface of every covered op "
                    "(conformance/surface.json), backends that each bend one behaviour of one op: "
                    "a default replaced by another valid value, the result moved a few ulps or "
                    "by a relative 1e-3, the result's dtype changed, strides ignored, an in-place "
                    "form that writes nowhere or an out-of-place one that writes its input, the "
                    "gradient zeroed, doubled or cut, mixed dtypes cast the wrong way. Each runs "
                    "its op's specs (with surface checks). Prints the kill rate per op and "
                    "overall and names every survivor; mutants no spec can tell from the docs "
                    "are listed as [[undetectable]] in conformance/exemptions.toml with the "
                    "reason. Writes a JSON under results/selfcheck/<machine>/. The whole set "
                    "takes a while (see README); --op narrows it.")
    check.add_argument("--op", action="append", default=[], metavar="PATTERN",
                       help="only the mutants of ops matching this fnmatch pattern (e.g. "
                            "'torch.sum', 'torch.nn.*'); repeatable (default: every covered op)")
    check.add_argument("--kind", action="append", default=[], metavar="PATTERN",
                       help="only mutants of this kind (ulps, rel-1e-3, off-by-one, dtype, "
                            "strides, cast, inplace-nowhere, writes-input, grad-zero, "
                            "grad-scale, grad-detach, default-PARAM; fnmatch); repeatable")
    check.add_argument("--min-rate", type=float, default=95.0, metavar="PERCENT",
                       help="exit 1 when the overall kill rate is below this (default: 95)")
    check.add_argument("--output", metavar="PATH",
                       help="results file to create (default: a new file under "
                            "results/selfcheck/<machine>/)")
    check.add_argument("--list", action="store_true", help="name the chosen mutants and stop")
    check.add_argument("pytest_args", nargs=argparse.REMAINDER,
                       help="after --: extra pytest arguments (-n 4, --timeout 60, ...)")
    sweep = sub.add_parser(
        "sweep", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="every OpInfo entry x dtype x sample on each backend: support matrix and accuracy",
        description="""\
The breadth tier beside the documented claims. For every entry of PyTorch's OpInfo
database (torch.testing._internal, not public API: each run records the torch it used)
and each dtype the entry declares for the backend's device type (a cell), run its sample
inputs on the backend and compare them with a reference computed outside it: the op on the
cpu in float64 where it has float64, else the entry's NumPy ref, else the cpu in the same
dtype (the record says which).

verdicts: works; raises (the exception's type and first line); wrong (which element, by how
many ULPs, the input); crashed, timed out (the cell's process died or ran past --timeout);
error (opsuite itself could not judge the cell: the message says why); skipped (why).
A result is wrong beyond atol + rtol*|ref| (torch.testing's defaults for its dtype) plus
twice the cpu's own error in that dtype. Each cell keeps its accuracy: max, p99 and median
error in ULPs of the result dtype and the largest relative error, for the forward and,
where the entry supports autograd, the backward, judged the same way: a cell whose forward
works and whose backward does not takes the backward's verdict.

Cells run as isolated cases, as conformance's; results stream to
results/sweep/<machine>/ as opsuite.sweep/1 JSON. Arguments after -- go to pytest
(-- -n 4, -- --timeout 60).""",
        epilog="""\
examples:
  opsuite sweep --ops 'nn.functional.*' --dtypes float32
  opsuite sweep --backend cpu --backend meta
  opsuite sweep --backend compile-cpu --ops add,mul    # one sample per cell
  opsuite sweep --list 'linalg.*'                      # the entries a pattern names

exit status: 0 every cell works, is skipped or is a known divergence; 1 some cell does
not (or a known divergence is stale); 2 bad input.""")
    sweep.add_argument("--backend", action="append", default=[], metavar="NAME",
                       help="as for conformance (repeatable; default cpu)")
    sweep.add_argument("--ops", action="append", default=[], metavar="PATTERN",
                       help="entries by full name (name.variant), shell-style patterns, comma-"
                            "separated or repeated (default: every entry)")
    sweep.add_argument("--dtypes", action="append", default=[], metavar="DTYPE",
                       help="only these dtypes (float32, bfloat16, int64, bool, ...), comma-"
                            "separated or repeated")
    sweep.add_argument("--samples", metavar="N|all",
                       help="at most N samples per cell, or all (default: 32, and 1 on a "
                            "backend with a wrap, such as compile-*, where each sample is a "
                            "compilation)")
    sweep.add_argument("--no-backward", action="store_true", help="compare the forward only")
    sweep.add_argument("--no-cache", action="store_true",
                       help="run every cell, even those an earlier sweep in the results folder "
                            "measured with the same torch, code, backend and options (by default "
                            "they are reused, and say so: a second run repeats nothing)")
    sweep.add_argument("--output", metavar="PATH",
                       help="results JSON path (default: a new file under results/sweep/<machine>/)")
    sweep.add_argument("--known-divergences", metavar="PATH",
                       help="TOML of cells known not to work (default: sweep/known_divergences.toml)")
    sweep.add_argument("--list", nargs="?", const="*", metavar="PATTERN",
                       help="list the entries PATTERN and --ops name, with the dtypes each "
                            "declares for the backends' device types (within --dtypes), and "
                            "count the cells; run nothing")
    sweep.add_argument("pytest_args", nargs=argparse.REMAINDER,
                       help="after --: arguments for pytest")
    claims = sub.add_parser(
        "claims", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="measure the published performance claims and give each a verdict",
        description="Measure each published performance claim of the seed articles on each "
                    "device, over repeated paired runs, and say whether it holds. A claim holds "
                    "when the 95 % interval of the measured ratio is at or above the smallest "
                    "ratio the source's own spread allows, does not hold when the interval is "
                    "below it, and is inconclusive when the interval straddles it.",
        epilog=lambda: "claims: " + ", ".join(c.key for c in _claims()))
    claims.add_argument("--device", action="append", choices=["cpu", "cuda"], metavar="DEVICE",
                        help="cpu or cuda; repeatable (default: both; an absent one is reported "
                             "as not measurable)")
    claims.add_argument("--claim", action="append", metavar="KEY",
                        help="check only this claim; repeatable (default: all)")
    claims.add_argument("--pairs", type=int, default=31, metavar="N",
                        help="paired runs per claim and device (default: 31)")
    claims.add_argument("--threads", type=int, metavar="N",
                        help="torch intra-op threads (default: $OPSUITE_THREADS or torch's default)")
    claims.add_argument("--output", metavar="PATH",
                        help="results file to create (default: a new file under "
                             "results/claims/<machine>/); an existing file is never replaced")
    return parser


def _case_names():
    from suite.cases import registry

    return list(registry())


def _claims():
    from suite.claims import CLAIMS

    return CLAIMS


# pytest options that take a value as the next argument: that value is not a path to run.
_VALUED = {"-k", "-m", "-n", "-p", "-c", "-o", "-W", "-r", "--numprocesses", "--maxprocesses",
           "--dist", "--tx", "--rootdir", "--basetemp", "--confcutdir", "--junitxml",
           "--junit-xml", "--junit-prefix", "--timeout", "--timeout-method", "--session-timeout",
           "--maxfail", "--deselect", "--ignore", "--ignore-glob", "--tb", "--durations",
           "--durations-min", "--log-file", "--log-level", "--log-cli-level", "--import-mode",
           "--max-worker-restart", "--output", "--output-dir", "--known-divergences",
           "--backend", "--capture", "--color", "--code-highlight", "--inifile", "--config-file",
           "--pythonwarnings", "--override-ini", "--hypothesis-seed", "--benchmark-storage"}


def paths_in(pytest_args: list[str]) -> list[str]:
    """The paths (files, folders, node ids) among arguments meant for pytest."""
    found, skip = [], False
    for arg in pytest_args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in _VALUED
        else:
            found.append(arg)
    return found


def _conformance(args) -> int:
    import pytest

    import conformance
    from suite.machine import machine_name
    from suite.results import default_folder

    from suite.results import ResultsError, check_junitxml

    try:  # pytest would refuse some of these with exit 4 and write the others only at the end
        check_junitxml(args.junitxml)
    except ResultsError as error:
        print(f"opsuite: {error}", file=sys.stderr)
        return 2
    extra = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
    # The specs shipped with opsuite, unless paths were given after --: then only those.
    # wherever the specs are, with or without a conftest.py; pytest-benchmark (the bench
    # extra) is not wanted here, and would leave a .benchmarks/ folder in the user's project
    argv = ["-p", "suite.plugin", "-p", "no:benchmark"]
    if not paths_in(extra):
        argv.append(str(Path(conformance.__file__).parent))
    argv += (["--output", args.output] if args.output
             else ["--output-dir", str(default_folder(machine_name()))])
    for b in args.backend:
        argv += ["--backend", b]
    if args.known_divergences:
        argv += ["--known-divergences", args.known_divergences]
    if args.junitxml:
        argv += ["--junitxml", args.junitxml]
    return int(pytest.main(argv + extra))


def _backends() -> int:
    from suite.backends import builtin_backends

    for s in builtin_backends():
        state = "available" if s.available else f"unavailable: {s.reason}"
        print(f"{s.backend.name:<16} device={str(s.backend.device):<8} {state}")
    return 0


def _check_claims(args) -> int:
    from suite import claims as published
    from suite.machine import git_commit, machine_name
    from suite.results import ResultsError, check_writable, default_path, write_new
    from suite.timing import set_threads

    known = {c.key: c for c in published.CLAIMS}
    unknown = [k for k in args.claim or [] if k not in known]
    if unknown:
        print(f"opsuite: unknown claim {unknown[0]!r}; claims are: {', '.join(known)}",
              file=sys.stderr)
        return 2
    if args.pairs < 3:
        print(f"opsuite: --pairs must be at least 3 for a spread, not {args.pairs}", file=sys.stderr)
        return 2
    output = (Path(args.output) if args.output
              else default_path(machine_name(), git_commit()["commit"], kind="claims"))
    try:
        check_writable(output)
        threads = set_threads(args.threads)
    except (ResultsError, ValueError) as error:
        print(f"opsuite: {error}", file=sys.stderr)
        return 2
    chosen = [known[k] for k in args.claim] if args.claim else published.CLAIMS
    verdicts = []
    for claim in chosen:
        print(f"\n{claim.key}: {claim.statement}\n  source: {claim.source}\n  quote:  {claim.quote}"
              + (f"\n  note:   {claim.note}" if claim.note else ""), flush=True)
        for device in args.device or ["cpu", "cuda"]:
            verdicts.append(published.check(claim, device, pairs=args.pairs))
            v = verdicts[-1]
            print(f"  {device}: {v.verdict}" + (f" ({v.ratio:.2f}x)" if v.ratio == v.ratio else "")
                  + (f": {v.reason}" if v.reason else ""), flush=True)
    print()
    print(published.table(verdicts).to_string(index=False))
    write_new(output, published.document(verdicts, threads))
    print(f"\n{threads} threads; results: {output}")
    return 0


def _bench(args) -> int:
    from suite import bench

    return bench.main(args.cases, args.device, args.quick)


def _speed(args) -> int:
    from suite import speed
    from suite.machine import machine_name
    from suite.results import results_root

    try:
        path = (Path(args.results) if args.results
                else speed.newest(results_root() / "asv", machine_name()))
        table = speed.table(path)
    except speed.SpeedError as error:
        print(f"opsuite: {error}", file=sys.stderr)
        return 2
    print(f"{path}\n")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    return 0


def _compare(args) -> int:
    from suite import compare

    def warn(error):
        print(f"opsuite: warning: skipped {error}", file=sys.stderr)

    try:
        inputs = compare.load_all(args.inputs, skip_bad=args.skip_bad, warn=warn)
        if not inputs:
            raise compare.CompareError("no readable results among the inputs")
        text = compare.render(compare.tables(inputs, args.baseline), args.format)
    except compare.CompareError as error:
        print(f"opsuite: {error}", file=sys.stderr)
        return 2
    print(text)
    return 0


def _report(args) -> int:
    from suite import compare, report
    from suite.results import results_root

    def warn(error):
        print(f"opsuite: warning: skipped {error}", file=sys.stderr)

    root = Path(args.results) if args.results else results_root()
    try:
        written = report.main(root, args.baseline, args.skip_bad, warn)
    except (report.ReportError, compare.CompareError) as error:
        print(f"opsuite: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"opsuite: cannot write the report under {root}: {error.strerror or error}",
              file=sys.stderr)
        return 2
    print("report: " + ", ".join(str(p) for p in written))
    return 0


def _dashboard(args) -> int:
    from suite import dashboard

    try:
        html, missing = dashboard.publish(Path(args.config))
    except dashboard.DashboardError as error:
        print(f"opsuite: {error}", file=sys.stderr)
        return 2
    for url in missing:
        print(f"opsuite: warning: no local copy of {url}: the page needs the network for it "
              "(install Debian's libjs-jquery, libjs-jquery-flot, libjs-bootstrap, "
              "libjs-jquery-stupidtable and node-blueimp-md5)", file=sys.stderr)
    print(f"dashboard: {html / 'index.html'}" + ("" if missing else " (works offline)"))
    return 0


def _newest_run(surface: bool = False) -> Path:
    """The newest conformance results file under results/conformance/ (with surface data)."""
    from suite.report import RUN_NAME
    from suite.results import ResultsError, results_root

    found = sorted((p for p in (results_root() / "conformance").glob("*/*.json*")
                    if RUN_NAME.fullmatch(p.name)),
                   key=lambda p: p.name, reverse=True)  # named by UTC time
    for path in found:
        if not surface or b'"surface": {' in path.read_bytes():
            return path
    raise ResultsError(
        "no conformance results recorded with --record-surface under results/conformance/; "
        "run `opsuite coverage --measure` or name one with --surface" if surface else
        "no conformance results under results/conformance/; run `opsuite conformance` first "
        "or name a file")


def _measure() -> Path:
    """A cpu run of the specs recorded with --record-surface; its results file."""
    from suite.machine import git_commit, machine_name
    from suite.results import ResultsError, default_path

    path = default_path(machine_name(), git_commit()["commit"])
    print(f"coverage: recording what the specs exercise on cpu into {path}", flush=True)
    code = _conformance(argparse.Namespace(
        junitxml=None, output=str(path), backend=["cpu"], known_divergences=None,
        pytest_args=["--record-surface", "--matrix", "none", "-q", "-n", "auto"]))
    if not path.exists():
        raise ResultsError(f"the recording run wrote no results (exit {code})")
    return path


def _coverage(args) -> int:
    from suite import coverage, surface_coverage
    from suite import exemptions as exemption_file
    from suite import surface as surface_data
    from suite.results import ResultsError, read

    try:
        recorded = Path(args.surface) if args.surface else (_measure() if args.measure else None)
        path = Path(args.results) if args.results else (recorded or _newest_run())
        document = read(path)
        if recorded is None and (args.check or any(r.get("surface") for r in document["records"])):
            recorded = path if any(r.get("surface") for r in document["records"]) \
                else _newest_run(surface=True)
        surface, gaps, source = None, {}, ""
        if recorded is not None:
            recording = read(recorded) if recorded != path else document
            measured = surface_coverage.measure(recording, surface_data.load())
            overall = "; ".join(f"{k} {v}" for k, v in surface_coverage.totals(measured).items())
            source = (f"{recording['machine']['name']}, torch "
                      f"{(recording.get('torch') or {}).get('version') or '?'}, commit "
                      f"{str(recording.get('commit') or '?')[:8]}. Overall: {overall}")
            exemptions = exemption_file.load()
            surface = surface_coverage.frame(measured, exemptions)
            gaps = surface_coverage.gaps(measured, exemptions)
            stale = surface_coverage.unused(measured, exemptions)
        if args.check:
            print(f"surface coverage of {recorded}:")
            for name, value in surface_coverage.totals(measured).items():
                print(f"  {name:<9} {value}")
            for e in stale:
                print(f"opsuite: warning: exemption {e.op} {list(e.aspects)} covers no gap "
                      "(remove it?)", file=sys.stderr)
            if gaps:
                print(f"{sum(map(len, gaps.values()))} gaps in {len(gaps)} ops have no exemption "
                      f"in {exemption_file.FILE.name}: cover them with a spec or "
                      "state why not")
                for op, left in sorted(gaps.items()):
                    print(f"  {op}: {', '.join(left)}")
                return 1
            print("every gap has an exemption with its reason")
            return 0
        if not args.update:
            print(coverage.markdown(document, surface, source))
            return 0
        target = Path(args.update)
        text = coverage.update(target.read_text(), document, surface, source)
    except BrokenPipeError:
        raise  # `opsuite coverage | head`: main() ends quietly
    except (ResultsError, exemption_file.ExemptionError, ValueError, OSError) as error:
        print(f"opsuite: {error}", file=sys.stderr)
        return 2
    target.write_text(text)
    print(f"coverage table from {path}" + (f" and {recorded}" if recorded not in (None, path) else "")
          + f" written into {target}")
    return 0


def _surface(args) -> int:
    import json

    from suite import surface

    if args.update:
        try:
            path = surface.update()
        except ImportError as error:
            print(f"opsuite: cannot read PyTorch's OpInfo declarations ({error}); install the "
                  "'surface' extra: pip install 'opsuite[surface]'", file=sys.stderr)
            return 2
        except ValueError as error:
            print(f"opsuite: {error}", file=sys.stderr)
            return 2
        print(f"surface of {len(surface.load(path))} ops written to {path}")
        return 0
    try:
        data = surface.load()
    except surface.SurfaceError as error:
        print(f"opsuite: {error}", file=sys.stderr)
        return 2
    if args.op:
        if args.op not in data:
            print(f"opsuite: no covered op {args.op!r} (`opsuite surface` lists them)", file=sys.stderr)
            return 2
        print(json.dumps(data[args.op], indent=1))
        return 0
    for op, entry in data.items():
        params = ", ".join(f"{p}={i['default']}" if "default" in i else p
                           for p, i in entry.get("params", {}).items())
        forms = [f for f in ("inplace", "out") if entry.get(f)]
        print(f"{op}({params}): {len(entry.get('dtypes', {}).get('cpu', []))} dtypes on cpu"
              + (", differentiable" if entry.get("differentiable") else "")
              + (f", {' and '.join(forms)}" if forms else ""))
    return 0


def _selfcheck(args) -> int:
    from suite import selfcheck

    extra = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
    return selfcheck.main(args.op, args.kind, args.min_rate,
                          Path(args.output) if args.output else None, extra, args.list)


def _sweep_list(args) -> int:
    """--list: the entries PATTERN and --ops name, each with the dtypes it declares for each
    backend's device type (within --dtypes), and the cells a sweep of them would run."""
    import torch

    from suite import opinfos
    from suite.backends import BackendError, select

    patterns = [p for arg in args.ops for p in arg.split(",") if p] + ([args.list] if args.list != "*" else [])
    try:
        entries = opinfos.select(patterns or None)
        dtypes = opinfos.parse_dtypes([d for arg in args.dtypes for d in arg.split(",") if d])
        device_types = list(dict.fromkeys(torch.device(sel.backend.device).type
                                          for sel in select(args.backend or ["cpu"])))
    except (opinfos.SweepError, BackendError) as error:
        print(f"opsuite: {error}", file=sys.stderr)
        return 2
    cells = {device: 0 for device in device_types}
    for op in entries:
        for device in device_types:
            declared = [d for d in opinfos.dtypes_for(op, device) if dtypes is None or d in dtypes]
            cells[device] += len(declared)
            print(f"{opinfos.full_name(op):<48} " + (f"{device}: " if len(device_types) > 1 else "")
                  + (" ".join(map(opinfos.dtype_name, declared)) or "(no dtype)"))
    print(f"{len(entries)} entries; cells (entry x dtype): "
          + ", ".join(f"{n:,} on {device}" for device, n in cells.items()))
    return 0


def _sweep(args) -> int:
    import pytest

    from suite import opinfos
    from suite.machine import machine_name
    from suite.results import default_folder

    if args.list is not None:
        return _sweep_list(args)
    if args.pytest_args[:1] not in ([], ["--"]):
        print(f"opsuite: unexpected argument {args.pytest_args[0]!r} (arguments for pytest go "
              "after --)", file=sys.stderr)
        return 2
    extra = args.pytest_args[1:]
    from suite import sweep_cells

    argv = ["-p", "suite.sweep_plugin", "-p", "no:benchmark", "-p", "no:cacheprovider",
            "-c", os.devnull, "--rootdir", str(Path(sweep_cells.__file__).parent), "-q",
            "-W", "ignore::UserWarning", "-W", "ignore::DeprecationWarning",
            sweep_cells.__file__]
    folder = Path(args.output).absolute().parent if args.output else default_folder(machine_name(), kind="sweep")
    argv += ["--output", args.output] if args.output else ["--output-dir", str(folder)]
    if not args.no_cache:
        argv += ["--sweep-cache", str(folder)]
    for b in args.backend:
        argv += ["--backend", b]
    for o in args.ops:
        argv += ["--sweep-ops", o]
    for d in args.dtypes:
        argv += ["--sweep-dtypes", d]
    if args.samples is not None:
        argv += ["--sweep-samples", args.samples]
    if args.no_backward:
        argv.append("--sweep-no-backward")
    if args.known_divergences:
        argv += ["--known-divergences", args.known_divergences]
    return int(pytest.main(argv + extra))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"conformance": _conformance, "backends": lambda _: _backends(),
                "claims": _check_claims, "bench": _bench,
                "speed": _speed, "compare": _compare, "report": _report,
                "coverage": _coverage, "dashboard": _dashboard, "selfcheck": _selfcheck,
                "surface": _surface, "sweep": _sweep}
    try:
        return commands[args.command](args)
    except KeyboardInterrupt:
        print("opsuite: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `opsuite surface | head`: the reader has what it wanted
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
