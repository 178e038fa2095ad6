"""Concurrent clients completing whole assessments, checked against the database.

Serves the portal with tests/served.py (production.ini on gunicorn with PostgreSQL, or
development.ini on waitress with SQLite), runs ``benchmarks/journeys.py`` under Locust
(headless, in a subprocess, on 127.0.0.1) for a bounded time, then reads the database
directly and compares it with what the clients were told:

- every assessment's stored answers equal the answers its client had acknowledged (a
  save still in flight when the run stopped may have landed or not: either is fine);
- every acknowledged completion has exactly one revision, whose snapshot holds exactly
  the stored answers; no assessment is complete that its client did not complete.

Prints requests/s, journeys completed, p50/p95/p99 per request (Locust's final stats),
the statuses seen and the mismatches; exits 1 on a mismatch, a 5xx or a status a
client did not expect. The creation throttle is set for the run (``--throttle``): all
clients come from 127.0.0.1, one address.

    .venv/bin/python benchmarks/journeys_run.py --database postgresql --seconds 45 --users 10
    .venv/bin/python benchmarks/journeys_run.py --database sqlite --seconds 45 --users 10

``--database postgresql`` starts a throw-away PostgreSQL server (tests/conftest.py's,
which needs Debian's PostgreSQL binaries); ``--database URL`` uses an empty database.
Never import benchmarks/journeys.py here: Locust patches the process with gevent.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select  # noqa: E402

from portal.models import Answer, Assessment, Revision  # noqa: E402
from tests.served import Served, serve  # noqa: E402

LOCUSTFILE = Path(__file__).resolve().parent / "journeys.py"
BIN = Path(sys.executable).parent
MAX_SECONDS = 60
# A limit no run reaches, so the throttle's counting still runs on every creation.
NO_LIMIT = "1000000/600"
PERCENTILES = (50, 95, 99)
HEADINGS = ("p50 ms", "p95 ms", "p99 ms", "max ms")


@dataclass
class Check:
    """The database against what the clients were told."""

    assessments: int = 0
    saves: int = 0
    completions: int = 0
    mismatches: list[str] = field(default_factory=list)
    # A save or completion still without an answer when the run stopped, found landed.
    landed_unanswered: int = 0
    # Assessments in the database that no client heard of (a creation cut off at stop).
    unknown: int = 0


@dataclass
class Report:
    ini: str
    server: str
    database: str
    users: int
    seconds: int
    stats: dict[str, dict[str, float]]
    journal: dict[str, Any]
    check: Check
    readyz_after: int
    log: str
    locust_log: str

    @property
    def statuses(self) -> dict[int, int]:
        return {int(status): count for status, count in self.journal["statuses"].items()}

    @property
    def count_5xx(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    @property
    def journeys(self) -> dict[str, int]:
        return self.journal["journeys"]

    def events(self, name: str | None = None, status: Callable[[int], bool] | None = None) -> list[list]:
        """``[time, request, status]`` of each response, optionally of one request and statuses."""
        return [
            event
            for event in self.journal["events"]
            if (name is None or event[1] == name) and (status is None or status(event[2]))
        ]

    def figures(self) -> str:
        total = self.stats.get("Aggregated", {})
        completed = self.journeys.get("completed", 0)
        started, read = self.journeys.get("started", 0), self.journeys.get("results read", 0)
        lines = [
            f"{self.ini} on {self.server}, {self.database}; {self.users} users for {self.seconds} s",
            f"requests/s {total.get('rps', 0):.1f} ({int(total.get('requests', 0))} requests); journeys "
            f"completed {completed} ({completed / self.seconds:.1f}/s), started {started}, "
            f"results read {read}",
            f"{'request':<18} {'count':>7} {'fail':>5} " + " ".join(f"{h:>7}" for h in HEADINGS),
        ]
        for name, row in self.stats.items():
            lines.append(
                f"{name:<18} {int(row['requests']):>7} {int(row['failures']):>5} "
                f"{row['50%']:>7.0f} {row['95%']:>7.0f} {row['99%']:>7.0f} {row['max']:>7.0f}"
            )
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))
        lines += [
            f"statuses {statuses}; 5xx {self.count_5xx}; expected 4xx {self.journal['expected_4xx']}; "
            f"unexpected {self.journal['unexpected'] or 'none'}",
            f"database: {self.check.assessments} assessments, {self.check.saves} acknowledged saves, "
            f"{self.check.completions} acknowledged completions checked; mismatches "
            f"{len(self.check.mismatches)}; unanswered at stop and landed {self.check.landed_unanswered}; "
            f"unknown to the clients {self.check.unknown}",
        ]
        lines += [f"  mismatch: {m}" for m in self.check.mismatches[:20]]
        lines += [f"  client saw: {p}" for p in self.journal["problems"][:20]]
        return "\n".join(lines)


def merged(answers: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    result = dict(answers)
    for key, value in change.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def difference(found: dict[str, Any], wanted: dict[str, Any], names=("stored", "acknowledged")) -> str:
    keys = sorted(key for key in set(found) | set(wanted) if found.get(key) != wanted.get(key))
    return "; ".join(f"{key}: {names[0]} {found.get(key)!r}, {names[1]} {wanted.get(key)!r}" for key in keys)


def compare(database_url: str, assessments: dict[str, dict[str, Any]]) -> Check:
    """Read every assessment, its answers and revisions, and hold them against the clients' records."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            found = connection.execute(select(Assessment.id, Assessment.public_id, Assessment.status))
            rows = {row.public_id: row for row in found}
            answers: dict[int, dict[str, Any]] = defaultdict(dict)
            for row in connection.execute(select(Answer.assessment_id, Answer.question, Answer.value)):
                answers[row.assessment_id][row.question] = row.value
            snapshots: dict[int, list[dict]] = defaultdict(list)
            for row in connection.execute(
                select(Revision.assessment_id, Revision.snapshot).order_by(Revision.number)
            ):
                snapshots[row.assessment_id].append(row.snapshot["answers"])
    finally:
        engine.dispose()

    check = Check()
    known = set()
    for url, record in assessments.items():
        public_id = url.rstrip("/").rsplit("/", 1)[1]
        known.add(public_id)
        name = f"{public_id[:6]}…"
        check.assessments += 1
        check.saves += record["saves"]
        row = rows.get(public_id)
        if row is None:
            check.mismatches.append(f"{name} was created (201) but is not in the database")
            continue
        stored = answers.get(row.id, {})
        if stored != record["answers"]:
            if record["pending"] is not None and stored == merged(record["answers"], record["pending"]):
                check.landed_unanswered += 1
            else:
                check.mismatches.append(f"{name} answers: {difference(stored, record['answers'])}")
        kept = snapshots.get(row.id, [])
        if record["completed"]:
            check.completions += 1
        if record["completed"] or (record["completion_pending"] and row.status == "complete"):
            if record["completion_pending"]:
                check.landed_unanswered += 1
            if row.status != "complete" or len(kept) != 1:
                check.mismatches.append(
                    f"{name} completed: status {row.status}, {len(kept)} revisions (wanted 1)"
                )
            elif kept[0] != stored:
                check.mismatches.append(
                    f"{name} revision 1 snapshot: {difference(kept[0], stored, ('snapshot', 'stored'))}"
                )
        elif row.status != "draft" or kept:
            check.mismatches.append(
                f"{name} never completed by its client: {row.status}, {len(kept)} revisions"
            )
    for public_id, row in rows.items():
        if public_id not in known:
            check.unknown += 1
            if answers.get(row.id) or snapshots.get(row.id):
                check.mismatches.append(
                    f"{public_id[:6]}… unknown to every client holds answers or revisions"
                )
    return check


def percentile(response_times: dict[int, int], count: int, percent: float) -> float:
    """Locust's own percentile of its rounded response times (ms)."""
    within = int(count * percent)
    processed = 0
    for milliseconds in sorted(response_times, reverse=True):
        processed += response_times[milliseconds]
        if count - processed <= within:
            return float(milliseconds)
    return float("nan")


def read_stats(path: Path) -> dict[str, dict[str, float]]:
    """Locust's final stats (``--json-file``): per request and in all, count, failures, req/s, p50/p95/p99 ms.

    Requests/s are over each entry's first to last request, as Locust reports them; ``max`` is the
    slowest (rounded as Locust rounds: two significant digits from 100 ms on).
    """
    entries = json.loads(path.read_text())
    every: dict[int, int] = defaultdict(int)

    def row(entry_times: dict[int, int], requests: int, failures: int, start: float, last: float) -> dict:
        return {
            "requests": requests,
            "failures": failures,
            "rps": requests / max(last - start, 1e-9),
            **{f"{p}%": percentile(entry_times, requests, p / 100) for p in PERCENTILES},
            "max": float(max(entry_times, default=0)),
        }

    stats = {}
    for entry in sorted(entries, key=lambda e: e["name"]):
        times = {int(ms): count for ms, count in entry["response_times"].items()}
        for ms, count in times.items():
            every[ms] += count
        requests = entry["num_requests"] - entry["num_none_requests"]
        stats[entry["name"]] = row(
            times, requests, entry["num_failures"], entry["start_time"], entry["last_request_timestamp"]
        )
    if entries:
        stats["Aggregated"] = row(
            every,
            sum(e["num_requests"] - e["num_none_requests"] for e in entries),
            sum(e["num_failures"] for e in entries),
            min(e["start_time"] for e in entries),
            max(e["last_request_timestamp"] for e in entries),
        )
    return stats


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:  # noqa: S310 (our own loopback URL)
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def run_load(
    folder: Path,
    *,
    ini: str = "production.ini",
    server: str = "gunicorn",
    database_url: str | None = None,
    users: int = 10,
    seconds: int = 20,
    workers: int = 2,
    threads: int = 4,
    throttle: str = NO_LIMIT,
    retry_cap: float = 1.0,
    during: Callable[[Served], None] | None = None,
    seed: int = 1,
) -> Report:
    """Serve the portal, load it with ``users`` Locust clients for ``seconds``, check the database.

    ``during(served)`` runs in this process while the load runs (it may stop the
    database, for instance); the load still ends after ``seconds``.
    """
    if not 1 <= seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be 1 to {MAX_SECONDS}")
    folder.mkdir(parents=True, exist_ok=True)
    database_url = database_url or f"sqlite:///{folder / 'served' / 'served.sqlite'}"
    journal_path = folder / "journeys.json"
    prefix = folder / "locust"
    locust_log = folder / "locust.log"
    with serve(
        folder / "served",
        ini,
        server=server,
        database_url=database_url,
        settings={"portal.throttle.create": throttle},
        threads=threads,
        workers=workers,
    ) as served:
        env = dict(os.environ)
        env.update(
            JOURNEYS_OUT=str(journal_path),
            JOURNEYS_RETRY_CAP=str(retry_cap),
            JOURNEYS_SEED=str(seed),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        )
        command = [
            str(BIN / "locust"),
            "-f", str(LOCUSTFILE),
            "--headless",
            "--host", served.url,
            "--users", str(users),
            "--spawn-rate", str(users),
            "--run-time", f"{seconds}s",
            "--stop-timeout", "0",
            "--json-file", str(prefix),
            "--only-summary",
            "--loglevel", "WARNING",
            "--exit-code-on-error", "0",
        ]  # fmt: skip
        if not served.url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"refusing to load anything but 127.0.0.1: {served.url}")
        with locust_log.open("wb") as log:
            locust = subprocess.Popen(
                command,
                cwd=folder,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            if during is not None:
                during(served)
            locust.wait(timeout=seconds + 60)
        finally:
            stop_group(locust)
        readyz_after = status_of(served.url + "/readyz")
        if locust.returncode != 0 or not journal_path.exists():
            raise RuntimeError(
                f"locust ended with {locust.returncode}, journal "
                f"{'written' if journal_path.exists() else 'missing'}:\n{locust_log.read_text()[-4000:]}"
            )
    # The server has stopped (its requests finished): the database holds what it will hold.
    log_text = served.log()
    journal = json.loads(journal_path.read_text())
    return Report(
        ini=ini,
        server=server,
        database=database_url.split(":", 1)[0].split("+", 1)[0],
        users=users,
        seconds=seconds,
        stats=read_stats(Path(f"{prefix}.json")),
        journal=journal,
        check=compare(database_url, journal["assessments"]),
        readyz_after=readyz_after,
        log=log_text,
        locust_log=locust_log.read_text(errors="replace"),
    )


def stop_group(process: subprocess.Popen) -> None:
    """Stop a process started in its own session, and its children: TERM, then KILL."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def throw_away_postgresql():
    """A PostgreSQL server of tests/conftest.py's kind and an empty database on it: its URL."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from tests.conftest import PostgresServer

    server = PostgresServer()
    try:
        url = server.start()
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('CREATE DATABASE "journeys"'))
        admin.dispose()
        yield make_url(url).set(database="journeys").render_as_string(hide_password=False)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="postgresql", help="postgresql (throw-away), sqlite or a URL")
    parser.add_argument("--ini", help="default: production.ini, or development.ini on SQLite")
    parser.add_argument("--server", choices=("gunicorn", "waitress"), help="default: gunicorn for production")
    parser.add_argument("--seconds", type=int, default=45, help=f"seconds of load, at most {MAX_SECONDS}")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, help="threads per gunicorn worker (4) or waitress threads (8)")
    parser.add_argument("--throttle", default=NO_LIMIT, help=f"portal.throttle.create (default {NO_LIMIT})")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be 1 to {MAX_SECONDS}")
    ini = args.ini or ("development.ini" if args.database == "sqlite" else "production.ini")
    server = args.server or ("gunicorn" if ini == "production.ini" else "waitress")
    threads = args.threads or (4 if server == "gunicorn" else 8)
    scratch = Path(tempfile.mkdtemp(prefix="portal-journeys-"))
    try:
        with contextlib.ExitStack() as stack:
            if args.database == "postgresql":
                url = stack.enter_context(throw_away_postgresql())
            elif args.database == "sqlite":
                url = None
            else:
                url = args.database
            report = run_load(
                scratch, ini=ini, server=server, database_url=url, users=args.users,
                seconds=args.seconds, workers=args.workers, threads=threads, throttle=args.throttle,
            )  # fmt: skip
        print(report.figures())
        traceback = "Traceback" in report.log
        if traceback:
            print("!! the server log holds a traceback")
        print(f"scratch {scratch}{' (kept)' if args.keep else ''}")
        bad = report.check.mismatches or report.count_5xx or report.journal["unexpected"]
        return 1 if bad or traceback or report.journal["problems"] else 0
    finally:
        if not args.keep:
            import shutil

            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
