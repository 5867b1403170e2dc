"""asv's dashboard end to end: run one cheap combination of each benchmark family, publish,
and render the pages in headless Chromium.

Needs Chromium and jQuery from Debian (`make test` installs both) and takes about 15 s;
`-m "not dashboard"` leaves it out.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("asv")  # the [bench] extra

from suite import dashboard as offline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
JQUERY = Path("/usr/share/javascript/jquery/jquery.min.js")  # Debian's libjs-jquery

pytestmark = [
    pytest.mark.dashboard,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"no Chromium at {CHROMIUM}: `make test` installs Debian's"),
    pytest.mark.skipif(not JQUERY.exists(),
                       reason=f"no jQuery at {JQUERY}: `make test` installs libjs-jquery"),
]

# One fast CPU combination of each family, parameters in the benchmark's own order.
FAMILIES = {
    "bench_cdist.Cdist.time_cdist": dict(
        device="cpu", shape="20x20x2", dtype="float32",
        mode="use_mm_for_euclid_dist_if_necessary", step="forward"),
    "bench_linear.Linear.time_linear": dict(
        device="cpu", batch=8, layout="fused", step="forward"),
    "bench_focal_loss.FocalLoss.time_focal_loss": dict(
        device="cpu", impl="vectorized", shape="8192x128", dtype="float32", step="forward"),
}

# A flot plugin: after each draw, the plot's element says how many data points it plotted,
# which --dump-dom can show (the canvas alone would be there with no data too).
PROBE = """
$.plot.plugins.push({name: "probe", init: function (plot) {
  plot.hooks.draw.push(function (plot) {
    var n = 0;
    $.each(plot.getData(), function (_, s) {
      $.each(s.data, function (_, p) { if (p && p[1] !== null) n++; });
    });
    plot.getPlaceholder().attr("data-points", n);
  });
}});
"""

def asv(*args: str, conf: Path) -> None:
    # HOME: `asv machine` writes ~/.asv-machine.json, and this must not touch the real one.
    env = {**os.environ, "HOME": str(conf.parent)}
    run = subprocess.run([sys.executable, "-m", "asv", *args, "--config", str(conf)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"asv {args[0]} failed:\n{run.stdout}\n{run.stderr}"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """URL of a dashboard served from a temporary directory; the repo's results/ untouched."""
    tmp = tmp_path_factory.mktemp("asv")
    conf = json.loads((ROOT / "asv.conf.json").read_text())
    conf.update(repo=str(ROOT), benchmark_dir=str(ROOT / "benchmarks"),
                results_dir=str(tmp / "results"), html_dir=str(tmp / "html"),
                branches=["HEAD"])  # publish drops results of commits on no listed branch
    (tmp / "asv.conf.json").write_text(json.dumps(conf))
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()

    asv("machine", "--yes", "--machine", "test-machine", conf=tmp / "asv.conf.json")
    # An existing environment saves results only with --set-commit-hash, --quick ones included.
    selection = [arg for name, params in FAMILIES.items() for arg in (
        "--bench", "^" + re.escape(f"{name}({', '.join(map(repr, params.values()))})") + "$")]
    asv("run", "-E", "existing:same", "--quick", "--machine", "test-machine",
        "--set-commit-hash", head, *selection, conf=tmp / "asv.conf.json")
    assert list((tmp / "results" / "test-machine").glob(f"{head[:8]}-*.json")), "no results saved"
    asv("publish", conf=tmp / "asv.conf.json")
    assert offline.make_offline(tmp / "html") == [], "a script the page needs has no local copy"
    flot = tmp / "html" / "vendor" / "jquery.flot.js"
    flot.write_text(flot.read_text() + PROBE)  # the test's own instrument, loaded with flot

    handler = functools.partial(Quiet, directory=str(tmp / "html"))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
        server.shutdown()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def dump_dom(url: str, profile: Path) -> str:
    """The DOM after the page's scripts ran, with no network but the local server: every name
    but 127.0.0.1 resolves to nothing. A fresh profile each time: no cached pages."""
    run = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=127.0.0.1",
         f"--user-data-dir={profile}", "--virtual-time-budget=10000",
         "--dump-dom", url],
        capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "airspeed velocity error" not in run.stdout, "a script failed to load"
    return run.stdout


def test_index_lists_every_family(dashboard, tmp_path):
    dom = dump_dom(dashboard, tmp_path)
    for name in FAMILIES:
        assert f'href="#{name}"' in dom, name


@pytest.mark.parametrize("name", FAMILIES)
def test_graph_plots_the_result(dashboard, tmp_path, name):
    # asv's graph URL: the benchmark, then p-<param>=<repr of value> selects the combination
    # (without it the graph shows the first values, which have no result here).
    query = "&".join(f"p-{k}={quote(repr(v))}" for k, v in FAMILIES[name].items())
    dom = dump_dom(f"{dashboard}#{name}?{query}", tmp_path)
    points = re.search(r'<div id="main-graph"[^>]*\bdata-points="(\d+)"', dom)
    assert points, "no flot plot in the graph page"
    assert points[1] == "1", "the plot should show the one result: one commit, one combination"
