"""The report's charts: each answers one of the project's own questions, in words a reader can
take in without the tables.

* conformance: per op and machine:backend, whether its claims hold, with known divergences
  apart from failures;
* per machine: cdist's three compute modes side by side per size; fused against separate
  Linear over the batch size; each focal-loss implementation against `vectorized`;
  every benchmark's % of that machine's roofline, figures above the measured ceiling flagged;
* across machines: each benchmark's time relative to the baseline machine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from suite.cases import registry

TEXT = 9        # points: legible at the width the report shows a chart
SMALL = 8

# Conformance cells, worst first: the colour of an op's cell is its worst state there.
STATES = [("broken", "a claim failed or errored", "#c0392b"),
          ("known", "a known divergence (xfail), nothing else broken", "#e9a23b"),
          ("upheld", "every claim judged was upheld", "#2e8b57"),
          ("not judged", "nothing judged (skipped; meta has no values)", "#d9d9d9")]
MODE_LABEL = {"use_mm_for_euclid_dist_if_necessary": "default (mm above 25 points)",
              "use_mm_for_euclid_dist": "always mm", "donot_use_mm_for_euclid_dist": "never mm"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed, none assumed
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": TEXT, "axes.titlesize": TEXT + 1,
                         "figure.titlesize": TEXT + 2, "legend.fontsize": SMALL})
    return plt


def values(table: pd.DataFrame, case: str) -> pd.DataFrame:
    """One case's rows of `suite.speed.table`, its parameters as columns."""
    rows = table[table["case"] == case]
    names = list(registry()[case].params)
    if rows.empty:
        return pd.DataFrame(columns=[*table.columns, *names])
    split = rows["params"].str.split("-", expand=True)
    split.columns = names[: split.shape[1]]
    return pd.concat([rows.reset_index(drop=True), split.reset_index(drop=True)], axis=1)


# -- conformance -------------------------------------------------------------------------------

def op_states(runs) -> pd.DataFrame:
    """op x machine:backend: STATES' name of each cell (the op's worst record there)."""
    columns = {}
    for run in runs:
        records = pd.DataFrame(run.document["records"])
        if records.empty:
            continue
        records["op"] = records["op"].fillna("(no @spec)")
        for backend, rows in records.groupby("backend", sort=False):
            def state(outcomes):
                if outcomes.isin(["failed", "error"]).any():
                    return "broken"
                if (outcomes == "xfailed").any():
                    return "known"
                return "upheld" if (outcomes == "passed").any() else "not judged"
            column = rows.groupby("op").outcome.apply(state)
            if (column != "not judged").any():  # an unavailable backend judged nothing
                columns[f"{run.label}:{backend}"] = column
    return pd.DataFrame(columns).sort_index().fillna("not judged")


def conformance_map(states: pd.DataFrame):
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    plt = _pyplot()
    codes = {name: i for i, (name, _, _) in enumerate(STATES)}
    grid = states.apply(lambda col: col.map(codes)).to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(4.5 + 1.2 * len(states.columns), 2.2 + 0.19 * len(states)),
                           layout="constrained")
    ax.imshow(np.ma.masked_invalid(grid), aspect="auto", interpolation="nearest",
              cmap=ListedColormap([c for _, _, c in STATES]), vmin=-0.5, vmax=len(STATES) - 0.5)
    ax.set_xticks(range(len(states.columns)), states.columns)
    ax.set_yticks(range(len(states)), states.index, fontsize=SMALL)
    ax.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="left", rotation_mode="anchor")
    ax.set_title("Does each op do what its docs promise? One cell per op and machine:backend",
                 pad=14)
    fig.legend(handles=[Patch(color=c, label=text) for _, text, c in STATES],
               loc="outside lower center", ncol=2, frameon=False)
    return fig


# -- one machine -------------------------------------------------------------------------------

def _panels(plt, rows, cols, title, width=9.5, height=3.0):
    fig, axes = plt.subplots(len(rows), len(cols), figsize=(width, 0.9 + height * len(rows)),
                             squeeze=False, layout="constrained")
    fig.suptitle(title)
    return fig, axes


def cdist_modes(table: pd.DataFrame, machine: str):
    """Grouped bars: per size, each compute mode's time (float32), one panel per step."""
    df = values(table, "cdist")
    df = df[df["dtype"] == "float32"]
    if df.empty:
        return None
    plt = _pyplot()
    steps = [s for s in ("forward", "forward+backward") if s in set(df["step"])]
    devices = list(dict.fromkeys(df["device"]))
    fig, axes = _panels(plt, steps, devices, f"cdist on {machine}: the three compute modes "
                        "(float32; lower is faster)")
    shapes = list(dict.fromkeys(df["shape"]))
    for i, step in enumerate(steps):
        for j, device in enumerate(devices):
            ax = axes[i][j]
            part = df[(df["step"] == step) & (df["device"] == device)]
            for k, mode in enumerate(MODE_LABEL):
                times = part[part["mode"] == mode].set_index("shape")["seconds"].reindex(shapes)
                ax.bar(np.arange(len(shapes)) + (k - 1) * 0.27, times * 1e3, width=0.27,
                       label=MODE_LABEL[mode])
            ax.set_yscale("log")
            ax.set_xticks(range(len(shapes)), [s.replace("x", "×") for s in shapes])
            ax.set_ylabel("ms per call (log)")
            ax.set_title(f"{device}, {step}")
            ax.grid(axis="y", which="major", linewidth=0.3)
    axes[0][-1].legend(title="mode", loc="upper left")
    return fig


def linear_layouts(table: pd.DataFrame, machine: str):
    """Time of three Linear(1024, 128) against one Linear(1024, 384) + chunk, over the batch."""
    df = values(table, "linear")
    if df.empty:
        return None
    plt = _pyplot()
    df["batch"] = df["batch"].astype(int)
    steps = [s for s in ("forward", "forward+backward") if s in set(df["step"])]
    devices = list(dict.fromkeys(df["device"]))
    fig, axes = _panels(plt, steps, devices, f"Linear on {machine}: one fused layer + chunk "
                        "against three separate layers (lower is faster)")
    for i, step in enumerate(steps):
        for j, device in enumerate(devices):
            ax = axes[i][j]
            part = df[(df["step"] == step) & (df["device"] == device)]
            for layout, label in (("separate", "3 × Linear(1024, 128)"),
                                  ("fused", "Linear(1024, 384) + chunk")):
                line = part[part["layout"] == layout].sort_values("batch")
                ax.plot(line["batch"], line["seconds"] * 1e3, "o-", label=label)
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xlabel("batch size (log)")
            ax.set_ylabel("ms per call (log)")
            ax.set_title(f"{device}, {step}")
            ax.grid(which="major", linewidth=0.3)
    axes[0][-1].legend(loc="upper left")
    return fig


def focal_implementations(table: pd.DataFrame, machine: str):
    """Each focal-loss implementation's speed-up over `vectorized` (above 1: faster)."""
    df = values(table, "focal_loss")
    if df.empty or "vectorized" not in set(df["impl"]):
        return None
    plt = _pyplot()
    keys = ["device", "shape", "dtype", "step"]
    base = df[df["impl"] == "vectorized"].set_index(keys)["seconds"]
    df = df[df["impl"] != "vectorized"].copy()
    df["speedup"] = base.reindex(pd.MultiIndex.from_frame(df[keys])).to_numpy() / df["seconds"]
    steps = [s for s in ("forward", "forward+backward") if s in set(df["step"])]
    devices = list(dict.fromkeys(df["device"]))
    impls = list(dict.fromkeys(df["impl"]))
    combos = list(dict.fromkeys(zip(df["shape"], df["dtype"])))
    fig, axes = _panels(plt, steps, devices, f"Focal loss on {machine}: each implementation "
                        "against vectorized (the seeds'), speed-up; above 1 is faster",
                        height=0.6 + 0.45 * len(impls))
    for i, step in enumerate(steps):
        for j, device in enumerate(devices):
            ax = axes[i][j]
            part = df[(df["step"] == step) & (df["device"] == device)]
            height = 0.8 / len(combos)
            for k, (shape, dtype) in enumerate(combos):
                cells = part[(part["shape"] == shape) & (part["dtype"] == dtype)]
                cells = cells.set_index("impl")["speedup"].reindex(impls)
                # from 1 (as fast as vectorized) to the speed-up, leftwards when slower
                ax.barh(np.arange(len(impls)) + (k - (len(combos) - 1) / 2) * height, cells - 1,
                        left=1, height=height, label=f"{shape.replace('x', '×')} {dtype}")
            ax.axvline(1, color="black", linewidth=0.8)
            ax.set_xscale("log")
            low, high = np.nanmin(df["speedup"]), np.nanmax(df["speedup"])
            ax.set_xlim(min(0.5, low / 1.3), max(2.0, high * 1.3))
            _times_axis(ax)
            ax.set_yticks(range(len(impls)), impls)
            ax.invert_yaxis()
            ax.set_xlabel("time of vectorized / time (log)")
            ax.set_title(f"{device}, {step}")
            ax.grid(axis="x", which="major", linewidth=0.3)
    axes[0][-1].legend(title="size, dtype", loc="upper left", bbox_to_anchor=(1.01, 1))
    return fig


def _times_axis(ax) -> None:
    """A log axis of ratios labelled 0.5×, 1×, 2× ... rather than in powers of ten."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    ax.set_xscale("log")
    low, high = ax.get_xlim()
    ticks = [t for t in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if low / 1.5 <= t <= high * 1.5]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}×"))


def roofline(table: pd.DataFrame, machine: str):
    """% of this machine's roofline per benchmark (float32, forward+backward): how far from
    what the hardware allows. Above 100 % the measured ceiling is too low: flagged."""
    rows = []
    for case, family in (("cdist", "cdist"), ("linear", "Linear"), ("focal_loss", "focal loss")):
        df = values(table, case)
        if df.empty:
            continue
        if "dtype" in df:
            df = df[df["dtype"] == "float32"]
        df = df[df["step"] == "forward+backward"].dropna(subset=["% of roofline"])
        label_keys = [k for k in registry()[case].params if k not in ("dtype", "step")]
        for _, r in df.iterrows():
            words = [MODE_LABEL.get(str(r[k]), str(r[k])).split(" (")[0] for k in label_keys]
            rows.append((family, " ".join(words), r["% of roofline"], r["bound by"]))
    if not rows:
        return None
    plt = _pyplot()
    data = pd.DataFrame(rows, columns=["family", "label", "percent", "bound"])
    fig, ax = plt.subplots(figsize=(9.5, 1.4 + 0.2 * len(data)), layout="constrained")
    y = np.arange(len(data))
    over = data["percent"] > 100
    colours = np.where(over, "#c0392b", np.where(data["bound"] == "compute", "#1f77b4", "#2ca02c"))
    ax.barh(y, data["percent"].clip(upper=100), color=colours)
    for k in np.flatnonzero(over):
        ax.text(100, y[k], f"  {data['percent'][k]:.0f} %: above the measured ceiling, which "
                "is too low", va="center", fontsize=SMALL, color="#c0392b")
    ax.set_yticks(y, [f"{f}: {lbl.replace('x', '×')}" for f, lbl in zip(data["family"], data["label"])],
                  fontsize=SMALL)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the roofline: the time of the bytes at the copy bandwidth, or of the "
                  "FLOPs\nat the matmul rate, over the time measured")
    ax.set_title(f"How close to the hardware on {machine} (float32, forward+backward)\n"
                 "blue: compute-bound, green: memory-bound")
    ax.grid(axis="x", linewidth=0.3)
    return fig


# -- across machines ---------------------------------------------------------------------------

def machine_ratios(ratio: pd.DataFrame, baseline: str):
    """Each benchmark's time relative to the baseline machine (float32, forward+backward)."""
    others = [c for c in ratio.columns if c != baseline]
    ratio = ratio[others].dropna(how="all")
    keep = ((ratio.index.str.contains("float32") | ~ratio.index.str.contains("float"))
            & ratio.index.str.contains("forward\\+backward"))
    if keep.any():  # the representative rows, where the baseline has them
        ratio = ratio[keep]
    if ratio.empty or not others:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9.5, 1.6 + 0.2 * len(ratio)), layout="constrained")
    y = np.arange(len(ratio))
    for machine in others:
        ax.plot(ratio[machine].to_numpy(dtype=float), y, "o", label=machine)
    ax.axvline(1, color="black", linewidth=0.8)
    _times_axis(ax)
    labels = [i.replace("-float32", "").replace("-forward+backward", "").replace("x", "×")
              for i in ratio.index]
    ax.set_yticks(y, labels, fontsize=SMALL)
    ax.invert_yaxis()
    ax.set_xlabel(f"time / time on {baseline} (log; below 1: faster than {baseline})")
    ax.set_title(f"Each machine against {baseline}" + (" (float32, forward+backward)"
                                                       if keep.any() else ""))
    ax.grid(axis="x", which="major", linewidth=0.3)
    ax.legend(loc="lower right")
    return fig
