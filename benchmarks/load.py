"""HTTP load on the served portal against bare-Pyramid baselines, all in one run, loopback only.

Serves three apps the same way (``gunicorn --paste <ini>``, sync workers, 2 workers,
127.0.0.1 on a free port): the portal (development.ini without the debug toolbar, on a
scratch SQLite file), a bare Pyramid hello-world and a bare Pyramid one-row INSERT view
with pyramid_tm + zope.sqlalchemy on the portal's own SQLite engine set-up
(benchmarks/load_baseline.py). Then drives each with wrk for a bounded time and prints
requests/s, p50 and p99, and two ratios measured side by side in this run (the two
targets of a ratio alternate in halves, A B B A, to even out the machine's drift):

- revision page (cached, full 200s) / hello-world       target >= 0.5
- answer POST (JSON, one draft)     / bare one-row INSERT target >= 0.8

This machine's speed drifts: compare only the ratios of one run, never absolute figures
across runs. Exits 1 when any load request got a non-2xx/3xx answer or a socket error
(a missed target is reported, not an error).

    .venv/bin/python benchmarks/load.py [--duration 10] [--connections 8]
"""

from __future__ import annotations

import os
import sys

# The baseline apps are imported as benchmarks.load_baseline (gunicorn and the ini
# name them so): the project folder must be importable.
_HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(_HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from contextlib import closing  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT_PATH = Path(ROOT)
BIN = Path(sys.executable).parent
WRK = shutil.which("wrk") or "/usr/bin/wrk"
HOST = "127.0.0.1"
WORKERS = 2
ANSWER_BODY = {"answers": {"realtime.live": "core"}}
TARGETS = {"revision / hello": 0.5, "answer POST / insert": 0.8}

POST_LUA = """wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
"""


# --- scratch files ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def portal_ini(scratch: Path, db: Path) -> Path:
    """development.ini with the production path: no debug toolbar, scratch SQLite file."""
    lines = (ROOT_PATH / "development.ini").read_text().splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"pyramid\.includes\s*=", line):
            # The key and its indented continuation lines, minus the toolbar.
            values = line.split("=", 1)[1].split()
            i += 1
            while i < len(lines) and lines[i][:1] in (" ", "\t") and lines[i].strip():
                values += lines[i].split()
                i += 1
            values = [v for v in values if v != "pyramid_debugtoolbar"]
            if values:
                out.append("pyramid.includes =")
                out += [f"    {v}" for v in values]
            continue
        if line.startswith("debugtoolbar."):
            i += 1
            continue
        if re.match(r"sqlalchemy\.url\s*=", line):
            out.append(f"sqlalchemy.url = sqlite:///{db}")
            # No secret needed beyond development.ini's own dev one.
            out.append("portal.environment = development")
            i += 1
            continue
        if re.match(r"portal\.environment\s*=", line):
            i += 1
            continue
        if re.match(r"pyramid\.reload_templates\s*=", line):
            # As production.ini: templates are not re-checked on disk.
            out.append("pyramid.reload_templates = false")
            i += 1
            continue
        out.append(line.replace("%(here)s/alembic", str(ROOT_PATH / "alembic")))
        i += 1
    text = "\n".join(out) + "\n"
    if "pyramid_debugtoolbar" in text:
        raise RuntimeError("the ini copy still includes the debug toolbar")
    path = scratch / "portal.ini"
    path.write_text(text)
    return path


def logging_sections(ini: Path) -> str:
    """The ini's logging configuration: ``[loggers]`` and every section after it."""
    text = ini.read_text()
    start = text.find("[loggers]")
    if start < 0:
        raise RuntimeError(f"{ini} has no [loggers] section")
    return text[start:]


def baseline_ini(scratch: Path, name: str, factory: str, logging: str, **settings: str) -> Path:
    """A baseline app's ini with the portal's logging sections.

    ``gunicorn --paste`` takes its logging from an ini that has some, and then
    builds an access-log record for every request; without the same sections
    the baselines would skip that work and look cheaper than the way the portal
    is served.
    """
    extra = "".join(f"{key} = {value}\n" for key, value in settings.items())
    path = scratch / f"{name}.ini"
    path.write_text(f"[app:main]\nuse = call:benchmarks.load_baseline:{factory}\n{extra}\n{logging}")
    return path


# --- servers ------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    ini: Path
    port: int
    log: Path
    process: subprocess.Popen | None = None
    _log_file: object = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, env: dict) -> None:
        self._log_file = self.log.open("wb")
        # gunicorn would read the project's ./gunicorn.conf.py (production's threads and
        # access log) by itself: an empty one keeps all three servers as this file says.
        no_config = self.ini.parent / "gunicorn.empty.conf.py"
        no_config.write_text("# Every setting is on the command line.\n")
        command = [
            str(BIN / "gunicorn"),
            "--config", str(no_config),
            "--paste", str(self.ini),
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(WORKERS),
            "--worker-class", "sync",
            "--graceful-timeout", "5",
            # gunicorn 23+ would open one shared ~/.gunicorn/gunicorn.ctl for all three.
            "--no-control-socket",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.tail()}")
            try:
                with urllib.request.urlopen(loopback(self.base + path), timeout=2):  # noqa: S310
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer within {timeout}s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # the gunicorn arbiter; it stops its own workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self._log_file is not None:
            self._log_file.close()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --- plain HTTP for set-up and checks -------------------------------------------------


def loopback(url: str) -> str:
    """Every request of this benchmark, wrk's included, goes to 127.0.0.1 over plain HTTP."""
    if not url.startswith(f"http://{HOST}:"):
        raise RuntimeError(f"refusing to load anything but http://{HOST}: {url}")
    return url


def call(method: str, url: str, data: dict | None = None, accept: str | None = None):
    """(status, headers, body bytes); no cookies, no If-None-Match."""
    headers = {}
    payload = None
    if data is not None:
        payload = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    if accept:
        headers["Accept"] = accept
    request = urllib.request.Request(loopback(url), data=payload, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
            return reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def expect(status_wanted: int, result, what: str):
    status, _headers, body = result
    if status != status_wanted:
        raise RuntimeError(f"{what}: HTTP {status}, wanted {status_wanted}: {body[:500]!r}")
    return result


def prepare_portal(base: str) -> tuple[str, str]:
    """One completed assessment (revision 1) and one draft; returns (revision URL, answers URL)."""
    _, _, body = expect(201, call("POST", f"{base}/assessments/", {"title": "Benchmark"}), "create")
    first = json.loads(body)
    url = first["url"]
    _, _, body = expect(200, call("GET", url + "questionnaire", accept="application/json"), "questionnaire")
    questions = {q["key"]: q for q in json.loads(body)["questions"]}
    _, _, body = expect(200, call("POST", url + "answers", ANSWER_BODY), "first answers")
    state = json.loads(body)
    for _ in range(50):  # answering may reveal required follow-ups
        if not state["missing"]:
            break
        answers = {}
        for key in state["missing"]:
            question = questions[key]
            option = question["options"][0]["key"] if question["options"] else "unsure"
            answers[key] = [option] if question["kind"] == "multi" else option
        _, _, body = expect(200, call("POST", url + "answers", {"answers": answers}), "required answers")
        state = json.loads(body)
    _, headers, body = expect(200, call("POST", url + "complete", {}), "complete")
    revision = json.loads(body)
    if revision.get("revision") != 1:
        raise RuntimeError(f"complete: expected revision 1, got {revision.get('revision')!r}")
    revision_url = headers["Location"]

    _, _, body = expect(201, call("POST", f"{base}/assessments/", {"title": "Answer load"}), "draft")
    draft = json.loads(body)
    return revision_url, draft["url"] + "answers"


# --- wrk ----------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    rps: float
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: dict[str, int]


SOCKET_ERRORS = ("connect", "read", "write", "timeout")
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def run_wrk(name: str, url: str, duration: int, connections: int, script: Path | None) -> Result:
    command = [WRK, "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--timeout", "5s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(loopback(url))
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30, check=False)
    out = done.stdout
    if done.returncode != 0 or "Requests/sec" not in out:
        raise RuntimeError(f"wrk failed on {name} ({done.returncode}):\n{out}\n{done.stderr}")

    def latency(percent: str) -> float:
        found = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return float(found[1]) * UNITS[found[2]] if found else float("nan")

    summary = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Result(
        name=name,
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        requests=int(summary[1]),
        seconds=float(summary[2]) * UNITS[summary[3]] / 1000,
        p50_ms=latency("50"),
        p99_ms=latency("99"),
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=(dict(zip(SOCKET_ERRORS, map(int, errors.groups()), strict=True)) if errors else {}),
    )


def committed_rows(insert_db: Path, portal_db: Path, answers_url: str) -> dict[str, int]:
    """Rows the POST targets committed so far: bench rows, and audit events of the draft's saves."""
    from portal.security import link_digest

    draft_id = answers_url.rstrip("/").split("/")[-2]
    with closing(sqlite3.connect(insert_db)) as db:
        inserted = db.execute("SELECT count(*) FROM bench_rows").fetchone()[0]
    with closing(sqlite3.connect(portal_db)) as db:
        # The audit trail keeps a digest of each link, never the link.
        saved = db.execute(
            "SELECT count(*) FROM audit_events WHERE link_digest = ? AND action = 'answers saved'",
            (link_digest(draft_id),),
        ).fetchone()[0]
    return {"bare insert": inserted, "answer POST": saved}


def combine(runs: list[Result]) -> Result:
    """Slices of one target as one: req/s over their total time, p50 weighted by requests, worst p99."""
    requests = sum(r.requests for r in runs)
    return Result(
        name=runs[0].name,
        rps=requests / sum(r.seconds for r in runs),
        requests=requests,
        seconds=sum(r.seconds for r in runs),
        p50_ms=sum(r.p50_ms * r.requests for r in runs) / max(requests, 1),
        p99_ms=max(r.p99_ms for r in runs),
        non_2xx=sum(r.non_2xx for r in runs),
        socket_errors={key: sum(r.socket_errors.get(key, 0) for r in runs) for key in SOCKET_ERRORS},
    )


# --- the run ------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds of load per target, run as two halves (default 10)"
    )
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unrecorded load first (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs, ini files)")
    args = parser.parse_args(argv)
    if args.connections < 2:
        parser.error("--connections must be at least 2 (wrk runs 2 threads)")
    if not Path(WRK).exists():
        parser.error(f"wrk is missing ({WRK}); apt-get install -y wrk")

    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - started:5.1f}s] {message}", file=sys.stderr, flush=True)

    scratch = Path(tempfile.mkdtemp(prefix="portal-http-bench-"))
    servers: list[Server] = []
    ok = True
    try:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, env.get("PYTHONPATH")]))

        # 1. Scratch database, migrated, and the three ini files.
        portal_db = scratch / "portal.sqlite"
        insert_db = scratch / "insert.sqlite"
        ini = portal_ini(scratch, portal_db)
        subprocess.run(
            [str(BIN / "alembic"), "-c", str(ini), "upgrade", "head"],
            cwd=scratch, env=env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        from benchmarks.load_baseline import create_schema

        create_schema(f"sqlite:///{insert_db}")
        progress("scratch database migrated")
        post_lua = scratch / "post.lua"
        post_lua.write_text(POST_LUA.format(body=json.dumps(json.dumps(ANSWER_BODY))))

        # 2. Three servers, served the same way.
        portal = Server("portal", ini, free_port(), scratch / "portal.log")
        logging = logging_sections(ini)
        hello = Server(
            "hello", baseline_ini(scratch, "hello", "hello", logging), free_port(), scratch / "hello.log"
        )
        insert = Server(
            "insert",
            baseline_ini(
                scratch, "insert", "insert", logging, **{"sqlalchemy.url": f"sqlite:///{insert_db}"}
            ),
            free_port(),
            scratch / "insert.log",
        )
        servers = [portal, hello, insert]
        for server in servers:
            server.start(env)
        portal.wait_ready("/")
        hello.wait_ready("/")
        insert.wait_ready("/insert")
        progress("servers answer")

        revision_url, answers_url = prepare_portal(portal.base)
        insert_url = insert.base + "/insert"
        hello_url = hello.base + "/"

        # One request of each, checked before any load.
        _, headers, page = expect(200, call("GET", revision_url), "revision page")
        if not headers.get("ETag"):
            raise RuntimeError("revision page: no ETag")
        if "pDebug" in page.decode(errors="replace") or "debugtoolbar" in page.decode(errors="replace"):
            raise RuntimeError("revision page: the debug toolbar is still there")
        _, _, hello_body = expect(200, call("GET", hello_url), "hello")
        _, _, answer_body = expect(200, call("POST", answers_url, ANSWER_BODY), "answer POST")
        _, _, insert_body = expect(200, call("POST", insert_url, ANSWER_BODY), "insert POST")
        progress("assessment completed, draft created, one request of each checked")
        sizes = {
            "revision page": len(page),
            "hello": len(hello_body),
            "answer POST": len(answer_body),
            "bare insert": len(insert_body),
        }

        rows_before = committed_rows(insert_db, portal_db, answers_url)

        # 3. Load. Each ratio's two targets run in alternating halves, A B B A, so a
        # drift of the machine's speed during the pair weighs on both alike.
        pairs = [
            (("hello", hello_url, None), ("revision page", revision_url, None)),
            (("bare insert", insert_url, post_lua), ("answer POST", answers_url, post_lua)),
        ]
        half = max(1, args.duration // 2)
        results: dict[str, Result] = {}
        warm: dict[str, int] = {}
        for first, second in pairs:
            slices: dict[str, list[Result]] = {first[0]: [], second[0]: []}
            if args.warmup:
                for name, url, script in (first, second):
                    warm[name] = run_wrk(name, url, args.warmup, args.connections, script).requests
            for name, url, script in (first, second, second, first):
                slices[name].append(run_wrk(name, url, half, args.connections, script))
            for name, runs in slices.items():
                results[name] = combine(runs)
                progress(f"{name}: {results[name].rps:.0f} req/s ({', '.join(f'{r.rps:.0f}' for r in runs)})")
        plan = [target for pair in pairs for target in pair]

        rows_after = committed_rows(insert_db, portal_db, answers_url)

        # Still serving 200s after the load.
        expect(200, call("GET", revision_url), "revision page after load")
        expect(200, call("POST", answers_url, ANSWER_BODY), "answer POST after load")

        # 4. The table.
        print(
            f"\ngunicorn sync x{WORKERS} on {HOST}; wrk -t 2 -c {args.connections}, {2 * half}s per target "
            f"in 2 slices (A B B A); p50 weighted over slices, p99 the worse slice"
        )
        print(f"{'target':<15} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} "
              f"{'non-2xx':>8} {'sock err':>8} {'body B':>7}")  # fmt: skip
        for name, _url, _script in plan:
            r = results[name]
            print(
                f"{name:<15} {r.rps:>9.1f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.requests:>9} "
                f"{r.non_2xx:>8} {sum(r.socket_errors.values()):>8} {sizes[name]:>7}"
            )
        ratios = {
            "revision / hello": results["revision page"].rps / results["hello"].rps,
            "answer POST / insert": results["answer POST"].rps / results["bare insert"].rps,
        }
        print()
        for name, value in ratios.items():
            target = TARGETS[name]
            verdict = "met" if value >= target else "MISSED"
            print(f"{name:<22} {value:5.2f}  (target >= {target:.1f}: {verdict})")
        # wrk counts the responses it read; a request still in flight when it stops
        # may commit uncounted, so a few more rows than responses is normal.
        print("\nrows committed during the load / responses wrk counted (warm-up included):")
        for name in ("bare insert", "answer POST"):
            rows = rows_after[name] - rows_before[name]
            print(f"  {name:<13} {rows:>7} / {warm.get(name, 0) + results[name].requests}")
        for r in results.values():
            if r.non_2xx or any(r.socket_errors.values()):
                ok = False
                print(f"!! {r.name}: {r.non_2xx} non-2xx/3xx responses, socket errors {r.socket_errors}")
        print(f"total {time.monotonic() - started:.0f}s; scratch {scratch}{' (kept)' if args.keep else ''}")
    except Exception:
        ok = False
        for server in servers:
            print(f"--- {server.name} log (tail) ---\n{server.tail()}", file=sys.stderr)
        raise
    finally:
        for server in servers:
            server.stop()
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
