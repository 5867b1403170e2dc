"""How much of each covered op's documented surface the suite exercises, measured from a run
recorded with ``--record-surface`` (`suite.exercised`), and the gaps left.

Per op, against `suite.surface`'s model:

* params:   documented parameters with a default that some call gives another value
            (the spec's own calls, or a surface check);
* dtypes:   the supported dtypes (on the CPU) that every value claim exercises: a dtype counts
            for a claim only if one of its calls (or their checks) runs in it;
* gradient: for a differentiable op, a gradient checked: run.grad or run.gradcheck in its
            specs, or a surface check of the backward against CPU torch;
* layouts:  contiguous, strided (transposed or sliced), expanded (broadcast, stride 0),
            zero-size, 0-dim inputs;
* forms:    the in-place variant and the out= form, where the op has them.

A gap is named by an aspect ("param:keepdim", "dtype:complex64", "gradient", "layout:0-dim",
"form:out"). Whatever the suite leaves out carries an exemption with its reason in
conformance/exemptions.toml (suite.exemptions); `opsuite coverage --check` fails on a gap
without one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from suite.exemptions import Exemption
from suite.exercised import LAYOUTS, NOT_PARAMS

@dataclass
class OpCoverage:
    op: str
    params: list[str] = field(default_factory=list)        # documented, with a default
    params_hit: set = field(default_factory=set)
    dtypes: list[str] = field(default_factory=list)        # supported on the CPU
    dtypes_every_claim: set = field(default_factory=set)   # exercised by every value claim
    differentiable: bool = False
    gradient: bool = False
    layouts: set = field(default_factory=set)
    forms: list[str] = field(default_factory=list)         # "inplace", "out" where it has them
    forms_hit: set = field(default_factory=set)
    claims: int = 0

    takes_tensors: bool = True  # False for a factory: no input has a layout

    def gaps(self) -> list[str]:
        out = [f"param:{p}" for p in self.params if p not in self.params_hit]
        out += [f"dtype:{d}" for d in self.dtypes if d not in self.dtypes_every_claim]
        out += ["gradient"] if self.differentiable and not self.gradient else []
        out += [f"layout:{kind}" for kind in self.layout_kinds() if kind not in self.layouts]
        out += [f"form:{f}" for f in self.forms if f not in self.forms_hit]
        return out

    def layout_kinds(self) -> tuple:
        return LAYOUTS if self.takes_tensors else ()


def _calls_of(op: str, entry: dict, record: dict) -> list[dict]:
    names = set(entry.get("calls", [op]))
    shorts = {n.rsplit(".", 1)[-1] for n in names if "nn." not in n}
    return [c for c in (record.get("surface") or {}).get("calls", [])
            if c["fn"] in names or c["fn"].removeprefix("torch.Tensor.").rstrip("_") in shorts]


def measure(document: dict, surface: dict) -> dict[str, OpCoverage]:
    """Per op, what the recorded run exercised; from the first backend that recorded."""
    records = [r for r in document["records"] if r.get("surface") is not None]
    if not records:
        raise ValueError("no record has surface data: run conformance with --record-surface "
                         "(opsuite coverage --measure does)")
    backend = records[0]["backend"]
    records = [r for r in records if r["backend"] == backend]
    out = {}
    for op, entry in surface.items():
        cov = out[op] = OpCoverage(op)
        params = entry.get("params", {})
        cov.params = [p for p, info in params.items() if p not in NOT_PARAMS and "default" in info
                      and p not in entry.get("not_varied", {})]
        cov.dtypes = list(entry.get("dtypes", {}).get("cpu", []))
        cov.differentiable = bool(entry.get("differentiable"))
        cov.forms = [f for f in ("inplace", "out") if entry.get(f)]
        mine = [r for r in records if r.get("op") == op]
        claims: dict[str, set] = {}  # value claim -> dtypes its calls exercise
        for r in mine:
            calls = _calls_of(op, entry, r)
            if r["surface"].get("gradients"):
                cov.gradient = True
            # every claim the recorded backend judged (one about shapes alone too: it holds
            # in every dtype) whose calls reach the op
            judged = r["outcome"] != "skipped" and calls
            seen = claims.setdefault(r["claim"], set()) if judged else set()
            for c in calls:
                cov.params_hit.update(c["params"])
                cov.params_hit.update(c["checks"]["params"])
                cov.layouts.update(c["layouts"])
                if "layout" in c["checks"]["kinds"]:
                    cov.layouts.add("strided")
                cov.layouts.update(k for k in c["checks"]["kinds"] if k in LAYOUTS)
                if "grad" in c["checks"]["kinds"]:
                    cov.gradient = True
                cov.forms_hit.update(c["forms"])
                cov.forms_hit.update(k for k in c["checks"]["kinds"] if k in ("inplace", "out"))
                seen.update([c["dtype"]] if c["dtype"] else [])
                seen.update(c["checks"]["dtypes"])
        every = [c for r in mine for c in _calls_of(op, entry, r)]
        cov.takes_tensors = not every or any(c["layouts"] for c in every)
        cov.claims = len(claims)
        judged = [s for s in claims.values() if s]
        cov.dtypes_every_claim = set.intersection(*judged) if judged else set()
    return out


def gaps(coverage: dict[str, OpCoverage], exemptions: list[Exemption]) -> dict[str, list[str]]:
    """Per op, the gaps no exemption covers."""
    out = {}
    for op, cov in coverage.items():
        left = [a for a in cov.gaps() if not any(e.covers(op, a) for e in exemptions)]
        if left:
            out[op] = left
    return out


def table(coverage: dict[str, OpCoverage], exemptions: list[Exemption]) -> list[dict]:
    rows = []
    for op, cov in sorted(coverage.items()):
        open_gaps = [a for a in cov.gaps() if not any(e.covers(op, a) for e in exemptions)]
        rows.append({
            "op": op,
            "params": f"{len(set(cov.params) & cov.params_hit)}/{len(cov.params)}" if cov.params else "–",
            "dtypes": f"{len(set(cov.dtypes) & cov.dtypes_every_claim)}/{len(cov.dtypes)}" if cov.dtypes else "–",
            "gradient": ("yes" if cov.gradient else "no") if cov.differentiable else "–",
            "layouts": (f"{len(cov.layouts & set(LAYOUTS))}/{len(LAYOUTS)}" if cov.takes_tensors
                        else "–"),
            "forms": f"{len(set(cov.forms) & cov.forms_hit)}/{len(cov.forms)}" if cov.forms else "–",
            "exempt": len(cov.gaps()) - len(open_gaps),
            "gaps": len(open_gaps),
        })
    return rows


def totals(coverage: dict[str, OpCoverage]) -> dict[str, str]:
    def ratio(hit, of):
        return f"{hit}/{of} ({100 * hit / of:.0f} %)" if of else "–"
    covs = coverage.values()
    return {
        "params": ratio(sum(len(set(c.params) & c.params_hit) for c in covs), sum(len(c.params) for c in covs)),
        "dtypes": ratio(sum(len(set(c.dtypes) & c.dtypes_every_claim) for c in covs),
                        sum(len(c.dtypes) for c in covs)),
        "gradient": ratio(sum(c.gradient for c in covs if c.differentiable),
                          sum(c.differentiable for c in covs)),
        "layouts": ratio(sum(len(c.layouts & set(c.layout_kinds())) for c in covs),
                         sum(len(c.layout_kinds()) for c in covs)),
        "forms": ratio(sum(len(set(c.forms) & c.forms_hit) for c in covs), sum(len(c.forms) for c in covs)),
    }


def frame(coverage: dict[str, OpCoverage], exemptions: list[Exemption]):
    """The table's rows as a DataFrame indexed by op, gaps as "open (+exempt)"."""
    import pandas as pd

    rows = table(coverage, exemptions)
    for row in rows:
        row["gaps"] = f"{row['gaps']}" + (f" (+{row['exempt']} exempt)" if row["exempt"] else "")
        del row["exempt"]
    return pd.DataFrame(rows).set_index("op")


def unused(coverage: dict[str, OpCoverage], exemptions: list[Exemption]) -> list[Exemption]:
    """Exemptions that cover no gap of the measured run: stale, or a typo."""
    return [e for e in exemptions
            if not any(e.covers(op, a) for op, cov in coverage.items() for a in cov.gaps())]
