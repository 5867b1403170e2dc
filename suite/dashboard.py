"""asv's dashboard, published so that it works with no network.

asv's pages take jQuery, flot and their plugins, bootstrap, a table sorter and md5 from public
CDNs: on a firewalled GPU machine, where the dashboard is looked at, the page says only "Can
not determine continental origin of swallow". `publish` runs `asv publish`, then copies local
copies of those scripts beside the pages and points the pages at them:

* Debian's packages (libjs-jquery, libjs-jquery-flot, libjs-bootstrap, libjs-jquery-stupidtable,
  node-blueimp-md5: `make test` installs them) under /usr/share/javascript, else
* flot 0.8.3 as pympler (an asv dependency) ships it, for the core (without its time plugin,
  asv's "date scale" view needs the network),

and a small bar-ordering plugin of our own (flot's orderBars has no package). Debian's flot is
4.x, which draws axis labels and the legend itself: asv's axis-label plugin is then left out
(the labels would be drawn twice) and the legend gets the style flot's own pages give it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DEBIAN = Path("/usr/share/javascript")
# The CDN file's name, less its version and ".min", -> where a local copy lives (first found).
SOURCES = {
    "jquery.js": [DEBIAN / "jquery/jquery.min.js"],
    "jquery.flot.js": [DEBIAN / "jquery-flot/jquery.flot.min.js", "pympler:jquery.flot.min.js"],
    "jquery.flot.time.js": [DEBIAN / "jquery-flot/jquery.flot.time.min.js"],
    "jquery.flot.selection.js": [DEBIAN / "jquery-flot/jquery.flot.selection.min.js"],
    "jquery.flot.categories.js": [DEBIAN / "jquery-flot/jquery.flot.categories.min.js"],
    "stupidtable.js": [DEBIAN / "jquery-stupidtable/stupidtable.min.js"],
    "md5.js": [DEBIAN / "blueimp-md5/md5.min.js"],
    "bootstrap.js": [DEBIAN / "bootstrap/js/bootstrap.min.js"],
    "bootstrap.css": [DEBIAN / "bootstrap/css/bootstrap.min.css"],
}
# flot's orderBars (side-by-side bars of one x) as a plugin of a few lines: no package has it.
ORDER_BARS = """(function ($) {
  $.plot.plugins.push({name: "orderBars", version: "opsuite", options: {series: {bars: {order: null}}},
    init: function (plot) {
      plot.hooks.processDatapoints.push(function (plot, series, datapoints) {
        var all = plot.getData().filter(function (s) { return s.bars && s.bars.show && s.bars.order != null; });
        if (!series.bars || series.bars.order == null || all.length < 2) return;
        var width = series.bars.barWidth / all.length, rank = all.indexOf(series);
        var shift = (rank - (all.length - 1) / 2) * width, ps = datapoints.pointsize;
        for (var i = 0; i < datapoints.points.length; i += ps) datapoints.points[i] += shift;
        series.bars.barWidth = width;
      });
    }});
})(jQuery);
"""
CDN_TAG = re.compile(r'<(script|link)\b[^>]*"(https://[^"]*/([^/"]+))"[^>]*>(?:</script>)?')
FLOT4 = DEBIAN / "jquery-flot/jquery.flot.legend.min.js"  # flot 4's legend: Debian's is 4.x
ASV_AXISLABELS = re.compile(r'<script[^>]*src="jquery\.flot\.axislabels\.js"[^>]*></script>')
LEGEND_STYLE = """.legendLayer .background { fill: rgba(255, 255, 255, 0.85); stroke: rgba(0, 0, 0, 0.85);
  stroke-width: 1; }
.legendLayer text { fill: #333; font-size: 11px; }
"""


class DashboardError(RuntimeError):
    pass


def _key(file_name: str) -> str:
    return re.sub(r"-[\d.]*\d|\.min", "", file_name)


def _source(key: str) -> str | None:
    if key == "jquery.flot.orderBars.js":
        return ORDER_BARS
    for place in SOURCES.get(key, []):
        if isinstance(place, str) and place.startswith("pympler:"):
            try:
                import pympler
            except ImportError:
                continue
            place = Path(pympler.__file__).parent / "templates" / place.split(":", 1)[1]
        if Path(place).is_file():
            return Path(place).read_text(encoding="utf-8")
    return None


def make_offline(html: Path) -> list[str]:
    """Point every page of a published dashboard at local copies of its CDN scripts, copied
    into html/vendor/. Returns what could not be found (the page needs it from the network)."""
    vendor = html / "vendor"
    vendor.mkdir(exist_ok=True)
    missing = []
    flot4 = FLOT4.is_file() and _source("jquery.flot.js") == (DEBIAN / "jquery-flot/jquery.flot.min.js").read_text()
    for page in sorted(html.glob("*.html")):
        def local(tag: re.Match) -> str:
            kind, url, name = tag[1], tag[2], tag[3]
            text = _source(_key(name))
            if text is None:
                missing.append(url)
                return tag[0]
            (vendor / _key(name)).write_text(text, encoding="utf-8")
            if kind == "link":
                return f'<link rel="stylesheet" href="vendor/{_key(name)}">'
            tag = f'<script src="vendor/{_key(name)}"></script>'
            if flot4 and _key(name) == "jquery.flot.js":
                (vendor / "jquery.flot.legend.js").write_text(FLOT4.read_text(), encoding="utf-8")
                (vendor / "flot-legend.css").write_text(LEGEND_STYLE, encoding="utf-8")
                tag += ('\n    <script src="vendor/jquery.flot.legend.js"></script>'
                        '\n    <link rel="stylesheet" href="vendor/flot-legend.css">')
            return tag

        text = CDN_TAG.sub(local, page.read_text(encoding="utf-8"))
        if flot4:
            text = ASV_AXISLABELS.sub("", text)
        page.write_text(text, encoding="utf-8")
    return sorted(set(missing))


def publish(config: Path | None = None) -> tuple[Path, list[str]]:
    """`asv publish`, then `make_offline` on its html_dir."""
    import json

    conf_path = config or Path("asv.conf.json")
    try:
        html = Path(json.loads(conf_path.read_text())["html_dir"])
    except (OSError, ValueError, KeyError) as error:
        raise DashboardError(f"cannot read html_dir from {conf_path}: {error}") from None
    run = subprocess.run([sys.executable, "-m", "asv", "publish", "--config", str(conf_path)],
                         capture_output=True, text=True)
    if run.returncode != 0:
        last = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no output"]
        raise DashboardError(f"asv publish failed: {last[0]}")
    html = html if html.is_absolute() else conf_path.parent / html
    return html, make_offline(html)
