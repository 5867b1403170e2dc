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
