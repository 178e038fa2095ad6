"""Fixtures of the core's tests: fixture plugin distributions and real databases.

Fixture plugins are real distributions under tests/fixture_plugins. Each group is
installed once per session with ``uv pip install --target`` into its own folder
and put on ``sys.path`` only for the tests that ask for it, so a broken or
conflicting plugin never leaks into another test, nor into the environment the
README's run command serves from.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

HERE = Path(__file__).parent
ROOT = HERE.parent
FIXTURE_PLUGINS = HERE / "fixture_plugins"
VENV_BIN = Path(sys.executable).parent

# Which fixture distributions are installed together.
PLUGIN_GROUPS = {
    "good": ["quokka", "wombat", "latency", "hosting"],
    "unrated": ["unrated"],
    "broken_toml": ["broken_toml"],
    "broken_field": ["broken_field"],
    "broken_import": ["broken_import"],
    "conflict": ["twin_a", "twin_b"],
    "misnamed": ["misnamed"],
    "golden": ["golden_cases"],
    # Plugins that load but are wrong in ways only `portal check` finds, and type errors.
    "lint": ["lint_bilby", "lint_gauge", "lint_tangle"],
    # A plugin built for another major version of the core.
    "future": ["lint_future"],
    # A framework whose plugin owns a table through its own migrations.
    "owned": ["numbat"],
    # A framework whose rationales and caveats hold script payloads (tests/test_stored_xss.py).
    "xss": ["xss_fixture"],
}


@pytest.fixture(scope="session")
def plugin_targets(tmp_path_factory) -> dict[str, Path]:
    """Install every fixture group once; returns group name -> target folder."""
    base = tmp_path_factory.mktemp("fixture-plugins")
    targets = {}
    for group, names in PLUGIN_GROUPS.items():
        target = base / group
        uv_install(["--target", str(target), "--no-deps", *(str(FIXTURE_PLUGINS / n) for n in names)])
        targets[group] = target
    return targets


def uv_install(arguments: list[str], python: str = sys.executable) -> None:
    uv = shutil.which("uv", path=str(VENV_BIN)) or shutil.which("uv")
    if uv is None:
        pytest.fail("uv is missing: run ./scripts/test, which installs it")
    subprocess.run([uv, "pip", "install", "--quiet", "--python", python, *arguments], check=True)


@pytest.fixture
def use_plugins(plugin_targets, monkeypatch):
    """``use_plugins("good", "unrated")`` puts those groups on sys.path for this test."""

    def install(*groups: str) -> list[Path]:
        paths = [plugin_targets[group] for group in groups]
        for path in paths:
            monkeypatch.syspath_prepend(str(path))
        return paths

    return install


@pytest.fixture
def plugin_pythonpath(plugin_targets):
    """An environment for subprocesses that see the given fixture groups."""

    def environ(*groups: str) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(str(plugin_targets[g]) for g in groups)
        return env

    return environ


# --- Databases -------------------------------------------------------------


class PostgresServer:
    """A throw-away PostgreSQL cluster on a Unix socket, run as an unprivileged user."""

    def __init__(self) -> None:
        self.bindir = self._bindir()
        self.base = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.data, self.socket = self.base / "data", self.base / "socket"
        self.user = None if os.geteuid() else "postgres"

    @staticmethod
    def _bindir() -> Path:
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not candidates:
            pytest.fail("PostgreSQL server binaries are missing: run ./scripts/test, which installs them")
        return candidates[-1].parent

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, cwd=self.base)

    def start(self) -> str:
        self.socket.mkdir()
        self.base.chmod(0o755)
        if self.user:
            entry = pwd.getpwnam(self.user)
            for path in (self.base, self.socket):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "portal",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        )
        self.resume()
        return f"postgresql+psycopg://portal@/postgres?host={self.socket}"

    def resume(self) -> None:
        """Start the server (again) on the same data and socket."""
        options = f"-k {self.socket} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.base / "server.log"),
            "start",
        )

    def pause(self) -> None:
        """Stop the server as a crash or an operator would: every connection is cut."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        try:
            self.pause()
        except subprocess.CalledProcessError:
            pass  # already stopped (a test paused it)
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgresql_server():
    server = PostgresServer()
    url = server.start()
    yield url
    server.stop()


@pytest.fixture
def own_postgresql():
    """A PostgreSQL server of this test's own, which it may stop and start: (server, URL)."""
    server = PostgresServer()
    url = server.start()
    try:
        yield server, url
    finally:
        server.stop()


_database_counter = iter(range(1_000_000))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request, tmp_path):
    """An empty database of each kind; tests build the schema with alembic."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'portal.sqlite'}"
        return
    yield from _postgres_database(request.getfixturevalue("postgresql_server"))


@pytest.fixture
def postgresql_url(postgresql_server):
    """An empty database on the throw-away PostgreSQL server."""
    yield from _postgres_database(postgresql_server)


def _postgres_database(server_url: str):
    name = f"portal_test_{os.getpid()}_{next(_database_counter)}_{int(time.time())}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def alembic_upgrade(database_url: str, revision: str = "head") -> None:
    """Build the schema the way an administrator does: ``alembic upgrade``, in-process."""
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def alembic_config(database_url: str):
    from alembic.config import Config

    config = Config(str(ROOT / "development.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["configure_logger"] = False
    config.attributes["database_url"] = database_url
    return config
