"""Results files crafted to differ in known ways, for the compare and report tests."""

import json

NAN = float("nan")


def record(spec, backend, outcome, observations=None, op="torch.op", claim=None):
    return {"spec": spec, "backend": backend, "op": op, "claim": claim or f"claim of {spec}",
            "url": "u", "outcome": outcome, "message": None, "input": None,
            "observations": observations or {}, "duration_s": 0.0,
            "repro": f"pytest '{spec}[{backend}]' --backend {backend}"}


def conformance_file(tmp_path, machine, records, schema="opsuite.conformance/1", name=None,
                     backends=()):
    """A results file; at tmp_path/<machine>.json, or tmp_path/<name> when a name is given."""
    path = tmp_path / (name or f"{machine}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"schema": schema, "machine": {"name": machine},
                                "torch": {"version": "2.13.0"}, "commit": "0123456789abcdef",
                                "backends": [b if isinstance(b, dict) else {"name": b}
                                             for b in backends],
                                "records": records}))
    return path


def asv_folder(tmp_path, machine, linear_seconds, torch=None, batch=("8",)):
    """A minimal asv results folder suite.speed can read: ceilings plus linear times."""
    results = {
        "bench_ceilings.CopyBandwidth.time_copy_bandwidth": [[0.1, NAN], [["'cpu'", "'cuda'"]]],
        "bench_ceilings.MatmulThroughput.time_matmul_throughput": [
            [1.0] + [NAN] * 7,
            [["'cpu'", "'cuda'"], ["'float32'", "'float64'", "'bfloat16'", "'float16'"]]],
        "bench_linear.Linear.time_linear": [
            linear_seconds, [["'cpu'"], list(batch), ["'fused'"], ["'forward'"]]],
    }
    folder = tmp_path / "asv" / machine
    folder.mkdir(parents=True)
    (folder / "machine.json").write_text(json.dumps({"machine": machine, "version": 1}))
    params = {"machine": machine} | ({"torch": torch} if torch else {})
    (folder / "abcdef12-env.json").write_text(json.dumps(
        {"result_columns": ["result", "params"], "results": results, "params": params,
         "commit_hash": "abcdef1234", "date": 1}))
    return folder


def asv_families(tmp_path, machine, scale=1.0, torch="2.13.0", matmul_seconds=1.0):
    """asv results of every family on cpu, times made up (scaled by ``scale``): cdist's three
    modes, Linear over three batch sizes, two focal-loss implementations, and the ceilings."""
    import itertools

    def bench(name, grid, seconds):
        combos = list(itertools.product(*grid))
        return [[seconds(*c) * scale for c in combos],
                [[repr(v) for v in values] for values in grid]]

    modes = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
             "donot_use_mm_for_euclid_dist")
    shapes = ("512x512x2", "20x20x2", "4096x4096x64", "8x1024x1024x32")
    steps = ("forward", "forward+backward")
    results = {
        "bench_ceilings.CopyBandwidth.time_copy_bandwidth": [[0.1], [["'cpu'"]]],
        "bench_ceilings.MatmulThroughput.time_matmul_throughput": [
            [matmul_seconds, NAN], [["'cpu'"], ["'float32'", "'float64'"]]],
        "bench_cdist.Cdist.time_cdist": bench("cdist", [("cpu",), shapes, ("float32",), modes, steps],
                                              lambda d, s, t, m, st: (1 + shapes.index(s)) * 1e-3
                                              * (1 + modes.index(m)) * (1 + steps.index(st))),
        "bench_linear.Linear.time_linear": bench("linear", [("cpu",), (8, 64, 256), ("separate", "fused"), steps],
                                                 lambda d, b, lay, st: b * 1e-5 * (0.8 if lay == "fused" else 1.0)),
        "bench_focal_loss.FocalLoss.time_focal_loss": bench(
            "focal", [("cpu",), ("vectorized", "fused"), ("8192x128",), ("float32",), steps],
            lambda d, i, s, t, st: 0.03 if i == "vectorized" else 0.005),
    }
    folder = tmp_path / "asv" / machine
    folder.mkdir(parents=True)
    (folder / "machine.json").write_text(json.dumps({"machine": machine, "version": 1}))
    (folder / "abcdef12-env.json").write_text(json.dumps(
        {"result_columns": ["result", "params"], "results": results,
         "params": {"machine": machine, "torch": torch}, "commit_hash": "abcdef1234", "date": 1}))
    return folder
