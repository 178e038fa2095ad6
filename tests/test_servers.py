"""``pserve`` and ``pshell`` work with both ini files, as real processes."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT
from .served import listen_on

BIN = Path(sys.executable).parent
PRODUCTION_ENV = {
    "PORTAL_SECRET": "a-production-secret-of-at-least-32-characters-xyz",
}


def production_env(port: int) -> dict[str, str]:
    return {**PRODUCTION_ENV, "PORTAL_BASE_URL": f"http://127.0.0.1:{port}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_ini(name: str, tmp_path: Path, port: int) -> Path:
    """The project's ini file with only its listen address and folder changed."""
    text = (ROOT / name).read_text()
    text = listen_on(text, port)
    text = text.replace("%(here)s/alembic", str(ROOT / "alembic"))
    path = tmp_path / name
    path.write_text(text)
    return path


def environment(name: str, tmp_path: Path, plugin_env: dict, port: int = 6543) -> dict:
    env = dict(plugin_env)
    if name == "production.ini":
        env.update(production_env(port), DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite'}")
    return env


@pytest.fixture(params=["development.ini", "production.ini"])
def served(request, tmp_path, plugin_pythonpath):
    """``pserve`` of a copy of each ini on a free port with the "good" fixture plugins: (ini, base URL)."""
    name, port = request.param, free_port()
    ini = copy_ini(name, tmp_path, port)
    env = environment(name, tmp_path, plugin_pythonpath("good"), port)
    log = (tmp_path / "pserve.log").open("wb")
    server = subprocess.Popen([str(BIN / "pserve"), str(ini)], env=env, cwd=tmp_path, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/frameworks/", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "pserve.log").read_text()[-3000:])
                time.sleep(0.2)
        yield name, base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_pserve_serves_the_portal(served):
    _, base = served
    with urllib.request.urlopen(base + "/frameworks/quokka", timeout=5) as reply:
        assert "<h1>Quokka</h1>" in reply.read().decode()


def raw_exchange(base: str, head: str, body: bytes, wait: float = 5) -> bytes:
    """Send a request's head and the first bytes of its body; the first bytes of the answer.

    The rest of the body never comes: a server that waited for it would time out here.
    """
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(head.encode("ascii") + b"\r\n" + body)
        return sock.recv(200)


@pytest.mark.parametrize("declared", [999_999_999, 50_000_000, 300_000])
def test_the_server_refuses_a_large_body_before_reading_it(served, declared):
    name, base = served
    host = base.removeprefix("http://")
    head = (
        f"POST /assessments/ HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {declared}\r\n"
    )
    # Two bytes of a body that never comes: the answer must not wait for the rest.
    answer = raw_exchange(base, head, b"{}")
    assert answer.startswith(b"HTTP/1.1 413"), (name, answer)


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


def test_production_refuses_a_long_but_trivial_secret_and_a_missing_base_url(tmp_path):
    from portal.plugins import SettingsError
    from portal.settings import apply_environment

    production = {"sqlalchemy.url": "sqlite:///p.sqlite", "portal.environment": "production"}
    good = {"PORTAL_SECRET": "Zk3-vQ9_pLm2Rt7xWc4Yb8Nh1Jd6Fs0Ga5Ee", "PORTAL_BASE_URL": "https://p.example"}
    apply_environment(production, "production.ini", environ=good)
    for secret in ("a" * 32, "ab" * 20, "password-password-password-password"):
        with pytest.raises(
            SettingsError, match=re.escape("too repetitive to be secret; make one with `portal new-secret`")
        ):
            apply_environment(production, "production.ini", environ={**good, "PORTAL_SECRET": secret})
    with pytest.raises(SettingsError, match="production needs its public address: set PORTAL_BASE_URL"):
        apply_environment(production, "production.ini", environ={"PORTAL_SECRET": good["PORTAL_SECRET"]})
    for url in ("portal.example", "ftp://p.example", "https://p.example/portal", "https://p.example/?a=1"):
        with pytest.raises(
            SettingsError, match=re.escape("is not an address such as https://portal.example")
        ):
            apply_environment(production, "production.ini", environ={**good, "PORTAL_BASE_URL": url})


def production_app(tmp_path, monkeypatch, plugin_targets, **environ):
    """The app of production.ini itself, with the given environment and the "good" fixture plugins."""
    from pyramid.paster import get_app

    monkeypatch.syspath_prepend(str(plugin_targets["good"]))
    database = f"sqlite:///{tmp_path / 'prod.sqlite'}"
    defaults = {**production_env(6543), "DATABASE_URL": database}
    for name, value in {**defaults, **environ}.items():
        monkeypatch.setenv(name, value)
    return get_app(str(copy_ini("production.ini", tmp_path, 6543)))


@pytest.mark.parametrize(
    "variable", ["DATABASE_URL", "PORTAL_SECRET", "PORTAL_BASE_URL", "PORTAL_FRAMEWORKS", "PORTAL_CRITERIA"]
)
def test_every_documented_variable_works_under_production_ini(
    variable, tmp_path, monkeypatch, plugin_targets
):
    import webtest

    documented = (ROOT / "docs" / "administrators.md").read_text()
    assert f"| `{variable}` |" in documented
    values = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'chosen.sqlite'}",
        "PORTAL_SECRET": "Qm7-Xr2_bN5pLw9Tz4Kc8Vh3Yd6Fs1Ga0Ee",
        "PORTAL_BASE_URL": "https://advice.example",
        "PORTAL_FRAMEWORKS": "wombat",
        "PORTAL_CRITERIA": "hosting",
    }
    app = production_app(tmp_path, monkeypatch, plugin_targets, **{variable: values[variable]})
    settings = app.registry.settings
    setting = {
        "DATABASE_URL": "sqlalchemy.url",
        "PORTAL_SECRET": "portal.secret",
        "PORTAL_BASE_URL": "portal.base_url",
        "PORTAL_FRAMEWORKS": "portal.frameworks",
        "PORTAL_CRITERIA": "portal.criteria",
    }[variable]
    assert settings[setting] == values[variable]
    catalog = app.registry.portal_catalog
    if variable == "PORTAL_FRAMEWORKS":
        assert list(catalog.frameworks) == ["wombat"]
    if variable == "PORTAL_CRITERIA":
        assert list(catalog.criteria) == ["hosting"]
    if variable == "DATABASE_URL":
        assert str(app.registry["dbengine"].url) == values[variable]
    if variable == "PORTAL_BASE_URL":
        client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "advice.example"})
        assert 'href="https://advice.example/frameworks/"' in client.get("/").text


def test_production_answers_only_at_its_public_address(tmp_path, monkeypatch, plugin_targets):
    import webtest

    app = production_app(tmp_path, monkeypatch, plugin_targets, PORTAL_BASE_URL="https://advice.example")
    client = webtest.TestApp(app)
    for host in ("evil.example", "advice.example.evil.example", "advice.example:8443", "advice.example:x"):
        refused = client.get("/frameworks/", headers={"Host": host}, status=400)
        assert "This portal answers only at https://advice.example." in refused.text
        assert "evil" not in refused.text and "8443" not in refused.text
    page = client.get("/frameworks/", headers={"Host": "advice.example"})
    assert 'href="https://advice.example/criteria/"' in page.text
    # Forwarded headers do not choose the host either.
    forwarded = client.get("/", headers={"Host": "advice.example", "X-Forwarded-Host": "evil.example"})
    assert "evil.example" not in forwarded.text


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


def test_the_debug_toolbar_is_only_served_when_asked_for():
    """Its history lists recent URLs, private links included: ./scripts/serve --toolbar only."""
    from pyramid.paster import get_appsettings

    plain = get_appsettings(str(ROOT / "development.ini"))
    debug = get_appsettings(str(ROOT / "development.ini"), "debug")
    assert "pyramid_debugtoolbar" not in plain.get("pyramid.includes", "")
    assert "pyramid_debugtoolbar" in debug["pyramid.includes"].split()
    assert debug["sqlalchemy.url"] == plain["sqlalchemy.url"]  # the same portal otherwise
    serve = (ROOT / "scripts" / "serve").read_text()
    assert '--app-name "$app_name"' in serve and "app_name=main" in serve
