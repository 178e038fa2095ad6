"""What a PDF report costs next to the result page: first rendering and cached hit, in one run.

Run with ``.venv/bin/python benchmarks/downloads.py``. The portal runs in-process (WSGI
calls, no server) on a fresh SQLite file; each of ``--revisions`` completed assessments
is asked for its page and its PDF once (a first rendering each, interleaved so the
machine's drift touches both alike), then for each again ``--hits`` times (cached).
Figures are medians; only the ratios between lines of one run mean anything.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from webob import Request

from portal.testing import app_settings, build_app

ROOT = Path(__file__).resolve().parent.parent
JSON = {"Accept": "application/json", "Content-Type": "application/json"}


def migrated(url: str) -> None:
    config = Config(str(ROOT / "development.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["configure_logger"] = False
    config.attributes["database_url"] = url
    command.upgrade(config, "head")


def call(app, method: str, url: str, body: dict | None = None, api: bool = True):
    request = Request.blank(url, method=method, headers=JSON if api else {})
    if body is not None:
        request.body = json.dumps(body).encode()
    response = request.get_response(app)
    assert response.status_int < 400, (url, response.status, response.text[:300])
    return response


def completed(app, n: int) -> str:
    """A completed assessment whose answers vary with ``n`` (so its page and charts do): its revision URL."""
    url = call(app, "POST", "http://localhost/assessments/", {"title": f"Benchmark {n}"}).json["url"]
    for _ in range(3):  # follow-ups open as their triggers are answered
        questions = call(app, "GET", url + "questionnaire").json["questions"]
        answers = {
            q["key"]: q["options"][(n + i) % len(q["options"])]["key"]
            for i, q in enumerate(questions)
            if q["visible"] and q["options"] and q["kind"] == "single"
        }
        call(app, "POST", url + "answers", {"answers": answers})
    return call(app, "POST", url + "complete", {}).headers["Location"]


def timed(app, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = call(app, "GET", url, api=False)
    return (time.perf_counter() - start) * 1000, len(response.body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=12)
    parser.add_argument("--hits", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'bench.sqlite'}"
        migrated(url)
        app = build_app(app_settings(url))
        revisions = [completed(app, n) for n in range(args.revisions + 1)]
        # The first PDF of a process also imports WeasyPrint and loads Pango: shown apart.
        warm_up, _ = timed(app, revisions.pop() + "/report.pdf")
        first = {"html": [], "pdf": []}
        sizes = {"html": [], "pdf": []}
        for revision in revisions:
            for kind, suffix in (("html", ""), ("pdf", "/report.pdf")):
                ms, size = timed(app, revision + suffix)
                first[kind].append(ms)
                sizes[kind].append(size)
        hits = {"html": [], "pdf": []}
        for _ in range(args.hits):
            for kind, suffix in (("html", ""), ("pdf", "/report.pdf")):
                hits[kind].append(timed(app, revisions[len(hits[kind]) % len(revisions)] + suffix)[0])
    median = {
        f"{k} {what}": statistics.median(v[k]) for what, v in (("first", first), ("hit", hits)) for k in v
    }
    print(f"{'figure':<42} {'median ms':>10} {'runs':>6}")
    print(f"{'first PDF of the process (import, Pango)':<42} {warm_up:>10.1f} {1:>6}")
    for kind, label in (("html", "result page"), ("pdf", "PDF report")):
        print(f"{label + ', first rendering':<42} {median[kind + ' first']:>10.2f} {len(first[kind]):>6}")
        print(f"{label + ', cached hit':<42} {median[kind + ' hit']:>10.3f} {len(hits[kind]):>6}")
    print(f"PDF / page, first rendering: {median['pdf first'] / median['html first']:.1f}×")
    print(f"PDF / page, cached hit: {median['pdf hit'] / median['html hit']:.2f}×")
    print(f"PDF first rendering / PDF cached hit: {median['pdf first'] / median['pdf hit']:.0f}×")
    print(
        f"median sizes: page {statistics.median(sizes['html']) / 1024:.0f} KiB, "
        f"PDF {statistics.median(sizes['pdf']) / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
