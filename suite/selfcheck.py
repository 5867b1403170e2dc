"""`opsuite selfcheck`: do the specs catch a backend that breaks what they claim to check?

Every mutant of `suite.mutants` (one documented behaviour of one covered op, bent) runs the
specs of its op, surface checks on, as any plugged-in backend would. A mutant is

    killed        a spec of its op failed on it (or errored: the bent op raised where CPU
                  torch does not);
    survived      every spec passed, though the mutant bent at least one call;
    undetectable  it survived and conformance/exemptions.toml says why no spec can tell
                  (a default whose other value gives the same result on every input);
    not exercised it never bent a call (its op's specs never make such a call: an in-place
                  target, a non-contiguous input, mixed dtypes...).

The kill rate is killed / (killed + survived). The run prints it per op and overall, names
every survivor, writes a JSON under results/selfcheck/<machine>/, and exits 1 when the rate
is below --min-rate (default 95 %).
"""

from __future__ import annotations

import fnmatch
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from suite import exemptions, mutants
from suite import surface as surface_data

class SelfCheckError(ValueError):
    pass


def split(name: str) -> tuple[str, str]:
    op, _, kind = name.partition(mutants.SEPARATOR)
    return op, kind


def choose(patterns: list[str], kinds: list[str], surface: dict) -> list[str]:
    """The mutants of the ops matching ``patterns`` (fnmatch; all when empty) whose kind
    matches one of ``kinds`` (all when empty)."""
    chosen = []
    for name in mutants.names(surface):
        op, kind = split(name)
        if patterns and not any(fnmatch.fnmatchcase(op, p) for p in patterns):
            continue
        if kinds and not any(fnmatch.fnmatchcase(kind, k) for k in kinds):
            continue
        chosen.append(name)
    if not chosen:
        raise SelfCheckError("no mutant matches --op/--kind; `opsuite selfcheck --list` names them")
    return chosen


class Plugin:
    """In the pytest run: each mutant runs its own op's specs only; each case reports how many
    calls it bent; no dots (the selfcheck prints one line per op instead)."""

    def __init__(self, config, chosen: list[str]):
        self.config = config
        self.op_of = {name: split(name)[0] for name in chosen}
        self.total: Counter = Counter()   # op -> cases
        self.done: Counter = Counter()
        self.caught: set[str] = set()  # mutants a case failed or errored on
        self.started = time.monotonic()

    def echo(self, line: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and not hasattr(self.config, "workerinput"):
            reporter.write_line(line)

    def _mutant(self, nodeid: str) -> str | None:
        tail = nodeid[:-1] if nodeid.endswith("]") else nodeid
        for i, c in enumerate(tail):
            if c in "[-" and tail[i + 1:] in self.op_of:
                return tail[i + 1:]
        return None

    def pytest_sessionstart(self, session):
        manager = session.config.pluginmanager
        if manager.has_plugin("opsuite-progress"):  # one line per op instead
            manager.unregister(name="opsuite-progress")

    def narrow(self, ops: set[str], selected):
        """A mutant runs the specs of its own op, and nothing else does."""
        return [sel for sel in selected if self.op_of.get(sel.backend.name) in ops]

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        from suite.spec import spec_of

        def mine(item):
            sel = getattr(item, "callspec", None) and item.callspec.params.get("backend")
            spec = spec_of(item)
            return spec is not None and self.op_of.get(getattr(sel, "backend", sel).name
                                                       if sel is not None else None) == spec.op

        dropped = [item for item in items if not mine(item)]
        if dropped:  # a spec function whose parameters name other ops than this one
            config.hook.pytest_deselected(items=dropped)
            gone = set(map(id, dropped))
            items[:] = [item for item in items if id(item) not in gone]
        self._count(item.nodeid for item in items)

    def pytest_xdist_node_collection_finished(self, node, ids):
        if not self.total:
            self._count(ids)

    def _count(self, ids):
        if self.total:
            return
        for nodeid in ids:
            name = self._mutant(nodeid)
            if name:
                self.total[self.op_of[name]] += 1

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if call.when == "call":
            sel = item.callspec.params.get("backend")
            bent = mutants.APPLIED.pop(sel.backend.name, 0)
            report.user_properties.append(("opsuite.observation", {"mutated calls": bent}))
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report, config):
        if report.when == "call" or report.failed or (report.when == "setup" and report.skipped):
            return report.outcome, "", ""
        return "", "", ""

    def pytest_runtest_logreport(self, report):
        name = self._mutant(report.nodeid)
        if name is None:
            return
        if report.failed:
            self.caught.add(name)
        if report.when not in ("teardown", "???"):
            return
        op = self.op_of[name]
        self.done[op] += 1
        if self.done[op] == self.total[op]:
            mine = [n for n, o in self.op_of.items() if o == op]
            self.echo(f"  {op}: {sum(n in self.caught for n in mine)} of its {len(mine)} mutants "
                      f"caught ({self.done[op]} cases; {sum(self.done.values())}/"
                      f"{sum(self.total.values())} in {time.monotonic() - self.started:.0f} s)")


def pytest_configure(config):
    """Loaded with ``-p suite.selfcheck`` (in the selfcheck's run and each of its workers):
    the mutants are the backends ``suite.mutants:NAME`` selected."""
    chosen = [b.partition(":")[2] for b in config.option.backend or []
              if b.startswith("suite.mutants:")]
    from suite.plugin import BACKENDS_OF_SPEC

    plugin = Plugin(config, chosen)
    config.stash[BACKENDS_OF_SPEC] = plugin.narrow
    config.pluginmanager.register(plugin, "opsuite-selfcheck")


def verdicts(document: dict, chosen: list[str],
             undetectable: list[exemptions.Undetectable]) -> list[dict]:
    """One row per mutant, from the conformance results of the selfcheck's run."""
    by_backend: dict[str, list[dict]] = defaultdict(list)
    for record in document["records"]:
        by_backend[record["backend"]].append(record)
    rows = []
    for name in chosen:
        op, kind = split(name)
        records = by_backend.get(name, [])
        bent = sum((r.get("observations") or {}).get("mutated calls", 0) for r in records)
        # A spec that failed, or whose call the bent op made raise where CPU torch does not
        # (an error of the case): either way the run does not pass the mutant.
        failed = [r for r in records if r["outcome"] in ("failed", "error")]
        listed = next((u for u in undetectable if u.covers(op, kind)), None)
        if failed:
            verdict = "killed"
        elif not bent:
            verdict = "not exercised"
        elif listed:
            verdict = "undetectable"
        else:
            verdict = "survived"
        rows.append({"mutant": name, "op": op, "kind": kind, "verdict": verdict,
                     "cases": len(records), "bent_calls": bent,
                     "killed_by": failed[0]["spec"] if failed else None,
                     "message": (failed or [{}])[0].get("message"),
                     "reason": listed.reason if listed and verdict == "undetectable" else None})
    return rows


def rate(rows: list[dict]) -> tuple[int, int]:
    killed = sum(r["verdict"] == "killed" for r in rows)
    return killed, killed + sum(r["verdict"] == "survived" for r in rows)


def summary(rows: list[dict]) -> str:
    import pandas as pd

    df = pd.DataFrame(rows)
    table = df.groupby(["op", "verdict"]).size().unstack("verdict", fill_value=0)
    for column in ("killed", "survived", "undetectable", "not exercised"):
        if column not in table:
            table[column] = 0
    table = table[["killed", "survived", "undetectable", "not exercised"]]
    judged = table.killed + table.survived
    table["kill rate"] = [f"{100 * k / j:.0f} %" if j else "–" for k, j in zip(table.killed, judged)]
    killed, of = rate(rows)
    lines = [table.to_string(), ""]
    lines.append(f"kill rate: {killed}/{of} = {100 * killed / of:.1f} %" if of else
                 "kill rate: no mutant bent a call")
    counts = Counter(r["verdict"] for r in rows)
    lines.append(f"{len(rows)} mutants: " + ", ".join(f"{n} {v}" for v, n in counts.most_common()))
    survivors = [r for r in rows if r["verdict"] == "survived"]
    if survivors:
        lines += ["", "survivors (no spec failed; list them in conformance/exemptions.toml as "
                      "[[undetectable]] only if no spec can tell):"]
        lines += [f"  {r['mutant']}  ({r['bent_calls']} calls bent in {r['cases']} cases)"
                  for r in survivors]
    undetectable = [r for r in rows if r["verdict"] == "undetectable"]
    if undetectable:
        lines += ["", "undetectable (conformance/exemptions.toml):"]
        lines += [f"  {r['mutant']}: {r['reason']}" for r in undetectable]
    return "\n".join(lines)


def main(ops: list[str], kinds: list[str], min_rate: float, output: Path | None,
         pytest_args: list[str], list_only: bool = False) -> int:
    from suite import results
    from suite.machine import git_commit, machine_name

    echo = lambda line: print(line, flush=True)  # noqa: E731
    try:
        surface = surface_data.load()
        chosen = choose(ops, kinds, surface)
        undetectable = exemptions.load_undetectable()
        if list_only:
            print("\n".join(chosen))
            return 0
        output = output or results.default_path(machine_name(), git_commit()["commit"], "selfcheck")
        results.check_writable(output)
        # the conformance records of the mutants (each failure with its repro line) beside it
        run_file = output.with_name(f"{output.stem}.records.json")
        results.check_writable(run_file)
        if os.path.lexists(results.journal_path(run_file)):
            raise SelfCheckError(f"{results.journal_path(run_file)} exists: another run is "
                                 "writing it, or one was killed (remove it)")
    except (SelfCheckError, exemptions.ExemptionError, surface_data.SurfaceError,
            results.ResultsError, OSError) as error:
        print(f"opsuite: {error}", file=sys.stderr)
        return 2
    import conformance

    selectors = [f"suite.mutants:{name}" for name in chosen]
    workers = [] if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in pytest_args) \
        else ["-n", "auto"]
    echo(f"selfcheck: {len(chosen)} mutants of {len({split(n)[0] for n in chosen})} ops, each "
         "against its op's specs with surface checks")
    argv = ["-p", "suite.plugin", "-p", "suite.selfcheck", "-p", "no:benchmark", str(Path(conformance.__file__).parent),
            "--output", str(run_file), "--matrix", "none", "-q", "--tb=no", "-rN",
            "--disable-warnings", "-p", "no:cacheprovider", *workers, *pytest_args]
    for selector in selectors:
        argv += ["--backend", selector]
    code = pytest.main(argv)
    broken = (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR,
              pytest.ExitCode.NO_TESTS_COLLECTED)
    if not run_file.exists() or code in broken:  # an interrupted run's records still count
        print(f"opsuite: the specs did not run to the end on the mutants (pytest exit "
              f"{int(code)}); finished records, if any: {run_file}", file=sys.stderr)
        return 2
    document = json.loads(run_file.read_text())
    rows = verdicts(document, chosen, undetectable)
    print("(pytest's counts above are of cases run on mutants: a failed case caught one)")
    print()
    print(summary(rows))
    killed, of = rate(rows)
    results.write_new(output, {
        "schema": "opsuite.selfcheck/1", "machine": document["machine"],
        "torch": document.get("torch"), "commit": document.get("commit"),
        "complete": document.get("complete", True), "min_rate": min_rate,
        "killed": killed, "judged": of, "mutants": rows})
    print(f"\nresults: {output}")
    if not document.get("complete", True):
        print("opsuite: the run did not finish; the verdicts cover the cases it ran", file=sys.stderr)
        return 1
    if of and 100 * killed / of < min_rate:
        print(f"opsuite: kill rate {100 * killed / of:.1f} % is below {min_rate:g} %", file=sys.stderr)
        return 1
    return 0
