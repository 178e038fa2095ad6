"""``pserve`` and ``pshell`` work with both ini files, as real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

BIN = Path(sys.executable).parent
PRODUCTION_ENV = {
    "PORTAL_SECRET": "a-production-secret-of-at-least-32-characters-xyz",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_ini(name: str, tmp_path: Path, port: int) -> Path:
    """The project's ini file with only its listen address and folder changed."""
    text = (ROOT / name).read_text()
    text = text.replace("listen = localhost:6543", f"listen = 127.0.0.1:{port}")
    text = text.replace("listen = 127.0.0.1:6543", f"listen = 127.0.0.1:{port}")
    text = text.replace("%(here)s/alembic", str(ROOT / "alembic"))
    path = tmp_path / name
    path.write_text(text)
    return path


def environment(name: str, tmp_path: Path, plugin_env: dict) -> dict:
    env = dict(plugin_env)
    if name == "production.ini":
        env.update(PRODUCTION_ENV, DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite'}")
    return env


@pytest.mark.parametrize("name", ["development.ini", "production.ini"])
def test_pserve_serves_the_portal(name, tmp_path, plugin_pythonpath):
    port = free_port()
    ini = copy_ini(name, tmp_path, port)
    env = environment(name, tmp_path, plugin_pythonpath("good"))
    server = subprocess.Popen(
        [str(BIN / "pserve"), str(ini)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/frameworks/quokka", timeout=2) as reply:
                    body = reply.read().decode()
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        assert body is not None, server.stdout.read().decode() if server.poll() is not None else "no answer"
        assert "<h1>Quokka</h1>" in body
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("name", ["development.ini", "production.ini"])
def test_pshell_opens_a_shell_with_the_catalog(name, tmp_path, plugin_pythonpath):
    ini = copy_ini(name, tmp_path, free_port())
    env = environment(name, tmp_path, plugin_pythonpath("good"))
    result = subprocess.run(
        [str(BIN / "pshell"), str(ini)],
        input="print('quokka:', 'quokka' in catalog.frameworks)\nprint('db:', dbsession.bind.dialect.name)\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert "quokka: True" in result.stdout, result.stderr
    assert "db: sqlite" in result.stdout


def test_production_refuses_a_development_or_missing_secret(tmp_path, plugin_pythonpath):
    ini = copy_ini("production.ini", tmp_path, free_port())
    env = plugin_pythonpath("good")
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'p.sqlite'}"
    env.pop("PORTAL_SECRET", None)
    check = [sys.executable, "-c", f"from pyramid.paster import get_app; get_app({str(ini)!r})"]
    missing = subprocess.run(check, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert missing.returncode != 0
    assert "production.ini: portal.secret: production needs a secret: set PORTAL_SECRET" in missing.stderr
    env["PORTAL_SECRET"] = "development-only-" + "x" * 40
    weak = subprocess.run(check, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert "production refuses a development or short secret" in weak.stderr


def test_an_explicit_setting_wins_over_the_environment():
    from portal.settings import apply_environment

    settings = apply_environment(
        {"sqlalchemy.url": "sqlite:///explicit.sqlite", "portal.secret": "development-only-x"},
        "test.ini",
        environ={"DATABASE_URL": "postgresql://elsewhere/db", "PORTAL_FRAMEWORKS": "quokka"},
    )
    assert settings["sqlalchemy.url"] == "sqlite:///explicit.sqlite"
    assert settings["portal.frameworks"] == "quokka"
    assert os.environ.get("PORTAL_FRAMEWORKS") is None


def test_a_database_the_answer_save_cannot_speak_to_stops_start_up_with_one_line():
    from portal.plugins import SettingsError
    from portal.settings import apply_environment

    settings = {"sqlalchemy.url": "sqlite:///old.sqlite", "portal.secret": "development-only-x"}
    with pytest.raises(SettingsError) as raised:
        apply_environment(settings, "test.ini", environ={}, sqlite_version=(3, 34, 1))
    assert str(raised.value) == (
        "test.ini: sqlalchemy.url: this Python's SQLite is 3.34.1; the portal needs 3.35 or newer"
    )
    mysql = {**settings, "sqlalchemy.url": "mysql+pymysql://db/portal"}
    with pytest.raises(SettingsError) as raised:
        apply_environment(mysql, "test.ini", environ={})
    assert str(raised.value) == (
        "test.ini: sqlalchemy.url: 'mysql' is not supported; the portal runs on SQLite or PostgreSQL"
    )
    with pytest.raises(SettingsError) as raised:
        apply_environment({**settings, "sqlalchemy.url": "portal.sqlite"}, "test.ini", environ={})
    assert "sqlalchemy.url: is not a database URL such as sqlite:///portal.sqlite" in str(raised.value)
    # The version only matters for SQLite, and a current one passes.
    apply_environment({**settings, "sqlalchemy.url": "postgresql:///p"}, "t", {}, sqlite_version=(3, 8))
    apply_environment(settings, "test.ini", environ={}, sqlite_version=(3, 35, 0))
