"""``scripts/setup`` and ``scripts/serve`` as a user runs them, and development.ini's port.

The set-up test works in a copy of the project with a ``.venv`` of its own (uv installs
from its cache), so the shared ``.venv`` and ``portal.sqlite`` are never touched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paste.deploy.loadwsgi import SERVER, loadcontext

from .conftest import ROOT, VENV_BIN
from .served import Served, free_port, wait_until_ready

# What scripts/setup and scripts/serve read.
COPIED = (
    "pyproject.toml",
    "setup.cfg",
    "README.md",
    "development.ini",
    "alembic",
    "portal",
    "plugins",
    "scripts",
)
NOT_COPIED = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", ".pytest_cache")


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without the settings and port a developer may have exported."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PORTAL_") and key not in ("DATABASE_URL", "PORT", "PYTHON")
    }
    return {**environ, **extra}


def project_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    copy.mkdir()
    for name in COPIED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, copy / name, ignore=NOT_COPIED)
        else:
            shutil.copy2(ROOT / name, copy / name)
    # A virtual environment with uv in it, as scripts/setup leaves one: no download of uv.
    uv = shutil.which("uv", path=str(VENV_BIN)) or shutil.which("uv")
    assert uv, "uv is missing: run ./scripts/test, which installs it"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(copy / ".venv")], check=True, timeout=120
    )
    (copy / ".venv" / "bin" / "uv").symlink_to(uv)
    return copy


def plugin_count(copy: Path) -> int:
    return len(list(copy.glob("plugins/*/*/pyproject.toml")))


def installed(venv: Path) -> dict[str, tuple[int, int]]:
    """Each installed distribution's metadata folder, by inode and time: an install makes them anew."""
    site_packages = next(venv.glob("lib/python*/site-packages"))
    return {
        path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in site_packages.glob("*.dist-info")
    }


def setup(copy: Path) -> str:
    done = subprocess.run(
        ["scripts/setup"], cwd=copy, capture_output=True, text=True, env=clean_environment(), timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def serve(copy: Path, port: int, arguments: list[str], **environ: str) -> str:
    """Run scripts/serve until it answers on ``port``, then stop it: what it printed."""
    log_path = copy / f"serve-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["scripts/serve", *arguments],
            cwd=copy,
            env=clean_environment(**environ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(f"http://127.0.0.1:{port}", process, log_path, copy / "development.ini")
    try:
        wait_until_ready(served.url, process, log_path, seconds=600)
    finally:
        served.stop()
    output = served.log()
    assert f"Serving on http://127.0.0.1:{port}" in output, output
    return output


@pytest.mark.slow
def test_serving_again_installs_nothing_and_a_packaging_change_installs_again(tmp_path):
    copy = project_copy(tmp_path)
    venv = copy / ".venv"
    plugins = plugin_count(copy)

    first = serve(copy, port := free_port(), ["--port", str(port)])
    assert f"setup: installing the core and {plugins} plugins" in first
    before = installed(venv)
    assert "portal_framework_flask-1.0.0.dist-info" in before

    second = serve(copy, port := free_port(), [], PORT=str(port))
    assert (
        f"setup: .venv is up to date (the core, {plugins} plugins, extras dev); nothing to install." in second
    )
    assert "installing" not in second
    assert installed(venv) == before

    # A plugin's packaging (its version, dependencies, entry points) changed: installed again.
    pyproject = copy / "plugins" / "frameworks" / "flask" / "pyproject.toml"
    pyproject.write_text(re.sub(r'(?m)^version = ".*"$', 'version = "1.0.1"', pyproject.read_text(), count=1))
    assert "setup: installing" in setup(copy)
    assert "portal_framework_flask-1.0.1.dist-info" in installed(venv)
    assert "nothing to install" in setup(copy)

    # A plugin folder removed: installed again.
    shutil.rmtree(copy / "plugins" / "criteria" / "serverless")
    assert f"setup: installing the core and {plugins - 1} plugins" in setup(copy)
    assert "nothing to install" in setup(copy)


def test_serve_refuses_a_port_that_is_not_one_before_setting_anything_up():
    for arguments, environ in (
        (["--port", "web"], {}),
        (["--port=70000"], {}),
        ([], {"PORT": "0"}),
        (["--port"], {}),
    ):
        done = subprocess.run(
            [str(ROOT / "scripts" / "serve"), *arguments],
            capture_output=True,
            text=True,
            env=clean_environment(**environ),
            timeout=60,
        )
        assert done.returncode == 2, (arguments, done.stdout, done.stderr)
        assert done.stderr.startswith("serve: ") and "port" in done.stderr
        assert "setup:" not in done.stdout + done.stderr


def test_development_ini_listens_on_the_http_port_pserve_is_given(tmp_path):
    text = (ROOT / "development.ini").read_text()
    text = text.replace("sqlite:///%(here)s/portal.sqlite", f"sqlite:///{tmp_path / 'port.sqlite'}")
    ini = tmp_path / "development.ini"
    ini.write_text(text)

    # As pserve loads the server: 6543 unless the command line says otherwise.
    assert loadcontext(SERVER, f"config:{ini}").local_conf["port"] == "6543"
    given = loadcontext(SERVER, f"config:{ini}", global_conf={"http_port": "6611"}).local_conf
    assert given["port"] == "6611" and given["host"] == "localhost"

    port = free_port()
    log_path = tmp_path / "pserve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(VENV_BIN / "pserve"), str(ini), f"http_port={port}"],
            cwd=tmp_path,
            env=clean_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(f"http://127.0.0.1:{port}", process, log_path, ini)
    try:
        wait_until_ready(served.url, process, log_path)
    finally:
        served.stop()
    assert f"Serving on http://127.0.0.1:{port}" in served.log()
