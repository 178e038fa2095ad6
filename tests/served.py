"""The portal served for real, as users run it: a copy of one of the project's ini files,
migrated with alembic, in ``pserve`` (waitress) or ``gunicorn --paste``, on a free
loopback port, optionally over TLS with a certificate made for the test.

Tests and benchmarks use :func:`serve` as a context manager; it yields a
:class:`Served` whose ``url`` answers, and stops the server whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PRODUCTION_SECRET = "Zk3-vQ9_pLm2Rt7xWc4Yb8Nh1Jd6Fs0Ga5Ee-served"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    url: str
    process: subprocess.Popen
    log_path: Path
    ini: Path
    environ: dict[str, str] = field(default_factory=dict)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            # gunicorn and waitress both stop on SIGTERM; a group kill takes gunicorn's workers too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (certificate, key)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


# production.ini listens on an address; development.ini on localhost at its http_port (which
# pserve's http_port=N changes).
SERVER_ADDRESS = re.compile(r"(?m)^(listen = .*|host = .*\nget port = http_port)$")


def listen_on(text: str, port: int) -> str:
    """An ini file's text with its server on 127.0.0.1:``port``."""
    text, count = SERVER_ADDRESS.subn(f"listen = 127.0.0.1:{port}", text)
    assert count == 1, "the ini file's server address changed shape"
    return text


def write_ini(folder: Path, name: str, port: int, database_url: str | None, settings: dict[str, str]) -> Path:
    """A copy of the project's ini file: its listen address, database and the given settings changed."""
    text = listen_on((ROOT / name).read_text(), port)
    text = text.replace("%(here)s/alembic", str(ROOT / "alembic"))
    if database_url is not None and name == "development.ini":
        # An ini file interpolates %: a socket path's escapes need %%.
        text = re.sub(
            r"(?m)^sqlalchemy\.url = .*$", "sqlalchemy.url = " + database_url.replace("%", "%%"), text
        )
    extra = "".join(f"{key} = {value}\n" for key, value in settings.items())
    text = text.replace("[app:main]\n", "[app:main]\n" + extra, 1)
    path = folder / name
    path.write_text(text)
    return path


def wait_until_ready(url: str, process: subprocess.Popen, log_path: Path, seconds: float = 45) -> None:
    context = ssl._create_unverified_context() if url.startswith("https") else None  # noqa: S323 (our own cert)
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2, context=context) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the portal did not start:\n{log_path.read_text(errors='replace')[-4000:]}")
        time.sleep(0.2)


@contextlib.contextmanager
def serve(
    folder: Path,
    ini: str = "development.ini",
    *,
    server: str = "waitress",
    app_name: str = "main",
    database_url: str | None = None,
    settings: dict[str, str] | None = None,
    environ: dict[str, str] | None = None,
    threads: int = 8,
    workers: int = 2,
    tls: bool = False,
    migrate: bool = True,
) -> Iterator[Served]:
    """Serve the portal from a copy of ``ini`` (``development.ini`` or ``production.ini``).

    ``server="waitress"`` runs ``pserve`` with ``threads`` threads; ``"gunicorn"`` runs
    ``gunicorn --paste`` with the project's gunicorn.conf.py, ``workers`` processes of
    ``threads`` threads each, and TLS when asked. production.ini takes its database,
    secret and base URL from the environment, as documented.
    """
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    scheme = "https" if tls else "http"
    url = f"{scheme}://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_") and k != "DATABASE_URL"}
    if ini == "production.ini":
        env.update(
            DATABASE_URL=database_url or f"sqlite:///{folder / 'served.sqlite'}",
            PORTAL_SECRET=PRODUCTION_SECRET,
            PORTAL_BASE_URL=url,
        )
    elif database_url is None:
        database_url = f"sqlite:///{folder / 'served.sqlite'}"
    env.update(environ or {})
    path = write_ini(folder, ini, port, database_url, settings or {})
    if migrate:
        subprocess.run(
            [str(BIN / "alembic"), "-c", str(path), "upgrade", "head"],
            check=True,
            capture_output=True,
            env=env,
            cwd=folder,
            timeout=120,
        )
    if server == "waitress":
        text = path.read_text().replace("[server:main]\n", f"[server:main]\nthreads = {threads}\n", 1)
        path.write_text(text)
        command = [str(BIN / "pserve"), str(path), "--app-name", app_name]
    else:
        command = [
            str(BIN / "gunicorn"),
            "--paste",
            f"{path}#{app_name}" if app_name != "main" else str(path),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--access-logfile",
            str(folder / "access.log"),
            # gunicorn 27's control socket has one fixed path: servers of parallel tests would share it.
            "--no-control-socket",
        ]
        if tls:
            cert, key = make_certificate(folder)
            command += ["--certfile", str(cert), "--keyfile", str(key)]
    log_path = folder / f"{server}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    served = Served(url, process, log_path, path, env)
    try:
        wait_until_ready(url, process, log_path)
        yield served
    finally:
        served.stop()
