"""Each plugin is its own distribution: install two wheels beside the core, then remove one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, VENV_BIN

PROBE = """
import json, sys
import webtest
from portal import main
app = webtest.TestApp(main({}, **{"sqlalchemy.url": "sqlite://", "portal.secret": "development-only-probe"}))
frameworks = app.get("/frameworks/", headers={"Accept": "application/json"}).json["frameworks"]
criteria = app.get("/criteria/", headers={"Accept": "application/json"}).json["criteria"]
json.dump({"frameworks": [f["slug"] for f in frameworks], "criteria": [c["key"] for c in criteria],
           "home": app.get("/").status_int}, sys.stdout)
"""


def uv(*arguments: str, cwd: Path | None = None) -> None:
    binary = shutil.which("uv", path=str(VENV_BIN)) or "uv"
    subprocess.run([binary, *arguments], check=True, capture_output=True, cwd=cwd, timeout=300)


@pytest.mark.slow
def test_one_framework_and_one_criterion_installed_alone(tmp_path):
    wheels = tmp_path / "wheels"
    for project in (ROOT, ROOT / "plugins/frameworks/flask", ROOT / "plugins/criteria/rapid_start"):
        uv("build", "--wheel", "--quiet", "--out-dir", str(wheels), str(project))
    venv = tmp_path / "venv"
    uv("venv", "--quiet", "--python", sys.executable, str(venv))
    python = str(venv / "bin" / "python")
    # webtest only drives the probe; the portal itself needs nothing else.
    uv("pip", "install", "--quiet", "--python", python, *map(str, sorted(wheels.glob("*.whl"))), "webtest")

    def catalog() -> dict:
        result = subprocess.run(
            [python, "-c", PROBE], capture_output=True, text=True, cwd=tmp_path, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    assert catalog() == {"frameworks": ["flask"], "criteria": ["rapid_start"], "home": 200}

    uv("pip", "uninstall", "--quiet", "--python", python, "portal-framework-flask")
    assert catalog() == {"frameworks": [], "criteria": ["rapid_start"], "home": 200}
