"""Accounts' costs: one argon2id verification, one sign-in request, and the revision page's
ratio to hello-world for an anonymous link holder (which accounts must not slow down).

1. argon2id: times ``verify`` (median of several) for argon2-cffi's defaults (what
   production uses unless ``portal.argon2.*`` say otherwise) and a few other parameter
   sets; prints each and which one is chosen: the defaults if a verification takes
   50–250 ms on this machine, else the first set that does.
2. Sign-in: the portal in-process (webtest, a scratch SQLite file, the chosen
   parameters); times POST /sign-in with the right password (303) and a wrong one (400).
   The wrong one for an email with no account costs one verification too (a dummy hash),
   so the time does not tell which emails have accounts.
3. The revision page / hello-world ratio: runs ``benchmarks/load.py`` (its wrk
   load, A B B A halves) and prints its line; the earlier figures are in
   docs/performance.md ("Requests per second").

    .venv/bin/python benchmarks/sign_in.py [--duration 10] [--skip-load]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher  # noqa: E402

LOW_MS, HIGH_MS = 50.0, 250.0
PASSWORD = "tulip-ledger-57-orbit"  # noqa: S105 (a benchmark's own user)
# (time_cost, memory_cost KiB, parallelism); None: argon2-cffi's defaults.
CANDIDATES = [None, (2, 65536, 1), (3, 65536, 1), (1, 65536, 1), (2, 19456, 1)]


def parameters(candidate) -> dict[str, int]:
    if candidate is None:
        defaults = PasswordHasher()
        return {"time_cost": defaults.time_cost, "memory_cost": defaults.memory_cost,
                "parallelism": defaults.parallelism}  # fmt: skip
    return dict(zip(("time_cost", "memory_cost", "parallelism"), candidate, strict=True))


def verify_ms(chosen: dict[str, int], repeat: int = 7) -> float:
    hasher = PasswordHasher(**chosen)
    stored = hasher.hash(PASSWORD)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        hasher.verify(stored, PASSWORD)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def choose_argon2() -> dict[str, int]:
    print("argon2id verification (median of 7):")
    chosen = None
    for candidate in CANDIDATES:
        params = parameters(candidate)
        ms = verify_ms(params)
        label = "argon2-cffi defaults" if candidate is None else "                    "
        inside = LOW_MS <= ms <= HIGH_MS
        note = "" if inside else "  (outside 50-250 ms)"
        shown = f"t={params['time_cost']} m={params['memory_cost']:>6} KiB p={params['parallelism']}"
        print(f"  {label} {shown}: {ms:6.1f} ms{note}")
        if chosen is None and inside:
            chosen = params
    if chosen is None:
        raise SystemExit("no parameter set verifies in 50-250 ms on this machine")
    print(f"chosen: time_cost={chosen['time_cost']} memory_cost={chosen['memory_cost']} "
          f"parallelism={chosen['parallelism']}")  # fmt: skip
    return chosen


def sign_in_times(chosen: dict[str, int], repeat: int = 9) -> None:
    import logging

    import webtest
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from portal.models import User
    from portal.models.assessment import utcnow
    from portal.models.migrations import upgrade_database
    from portal.passwords import hash_password
    from portal.testing import app_settings, build_app

    logging.getLogger("portal").setLevel(logging.ERROR)  # not a line per failed sign-in
    scratch = Path(tempfile.mkdtemp(prefix="portal-sign-in-bench-"))
    overrides = {f"portal__argon2__{name}": str(value) for name, value in chosen.items()}
    # Enough failures allowed that the benchmark measures sign-in, not the throttle.
    overrides |= {"portal__throttle__sign_in_address": "off", "portal__throttle__sign_in_account": "off"}
    settings = app_settings(f"sqlite:///{scratch / 'portal.sqlite'}", **overrides)
    upgrade_database(settings)
    engine = create_engine(settings["sqlalchemy.url"])
    with Session(engine) as session, session.begin():
        hashed = hash_password(settings, PASSWORD)
        user = User(email="bench@example.com", role="client", display_name="Bench", password_hash=hashed)
        user.email_verified = utcnow()
        session.add(user)
    engine.dispose()
    app = webtest.TestApp(build_app(settings))

    def post(email: str, password: str, status: int) -> float:
        app.reset()
        token = app.get("/sign-in").forms["sign-in"]["csrf_token"].value
        started = time.perf_counter()
        app.post("/sign-in", {"email": email, "password": password, "csrf_token": token}, status=status)
        return (time.perf_counter() - started) * 1000

    post("bench@example.com", PASSWORD, 303)  # warm-up
    cases = {
        "right password (303)": ("bench@example.com", PASSWORD, 303),
        "wrong password (400)": ("bench@example.com", "not-the-password", 400),
        "unknown email (400)": ("nobody@example.com", "not-the-password", 400),
    }
    print(f"POST /sign-in, in-process, median of {repeat}:")
    for name, (email, password, status) in cases.items():
        times = [post(email, password, status) for _ in range(repeat)]
        print(
            f"  {name:<22} {statistics.median(times):6.1f} ms  (min {min(times):.1f}, max {max(times):.1f})"
        )


def revision_ratio(duration: int) -> int:
    command = [sys.executable, str(_HERE / "load.py"), "--duration", str(duration)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    match = re.search(r"^revision / hello\s+([\d.]+).*$", done.stdout, re.M)
    if match is None:
        print(done.stdout + done.stderr[-2000:])
        return 1
    print("revision page / hello-world (benchmarks/load.py, anonymous link holder):")
    print("  " + match.group(0).strip())
    table = [line for line in done.stdout.splitlines() if line.startswith(("hello", "revision"))]
    for line in table:
        print("  " + line)
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="load.py's seconds per target (default 10)")
    parser.add_argument("--skip-load", action="store_true", help="leave out the load.py ratio")
    args = parser.parse_args(argv)
    chosen = choose_argon2()
    print()
    sign_in_times(chosen)
    if args.skip_load:
        return 0
    print()
    return revision_ratio(args.duration)


if __name__ == "__main__":
    raise SystemExit(main())
