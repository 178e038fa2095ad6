"""portal.testing as plugin authors use it: the one-line contract test, ``make_app(migrate=True)``,
and the ``testing`` extra that brings what the fixtures need."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portal.testing import JSON, assert_plugin_contract

from .conftest import ROOT, VENV_BIN


def broken_promises(app, name: str) -> str:
    with pytest.raises(pytest.fail.Exception) as failed:
        assert_plugin_contract(app, name)
    return str(failed.value)


def test_the_contract_passes_for_a_plugin_that_keeps_it_and_returns_its_json(plugin_contract, use_plugins):
    use_plugins("good")
    # Wombat's summary holds markup: the contract looks for it escaped, as the page shows it.
    data = plugin_contract("wombat", frameworks="quokka wombat", criteria="latency hosting")
    assert (data["slug"], data["title"]) == ("wombat", "Wombat")
    assert (
        plugin_contract("hosting", frameworks="quokka wombat", criteria="latency hosting")["key"] == "hosting"
    )


def test_the_contract_names_a_framework_that_does_not_rate_an_enabled_criterion(make_app, use_plugins):
    use_plugins("good", "unrated")
    app = make_app(frameworks="quokka unrated", criteria="latency", migrate=True)
    message = broken_promises(app, "unrated")
    assert message.startswith("unrated (fixture-framework-unrated 1.0.0) breaks the plugin contract:\n")
    assert (
        "  - does not rate the enabled criterion 'latency': add [ratings.latency] to its profile" in message
    )
    # The same gap, seen from the criterion's side.
    message = broken_promises(app, "latency")
    assert "  - is not rated by the enabled framework 'unrated'" in message
    assert "'quokka'" not in message


def test_the_contract_runs_the_plugins_golden_cases(make_app, use_plugins):
    use_plugins("good", "golden")
    app = make_app(frameworks="quokka wombat", criteria="latency hosting taste", migrate=True)
    message = broken_promises(app, "taste")
    assert "golden case 'wombat wanted' no longer holds: expected wombat first, got quokka" in message
    assert "tasteful shop" not in message  # that case holds
    narrow = make_app(frameworks="quokka", criteria="latency hosting taste", migrate=True)
    assert "golden case 'wombat wanted' needs the framework 'wombat'" in broken_promises(narrow, "taste")


def test_the_contract_says_what_the_questionnaire_check_needs(make_app):
    message = broken_promises(make_app(criteria="realtime"), "realtime")
    assert "no assessment to show its questions in" in message and "migrate=True" in message


def test_the_contract_names_a_plugin_that_is_not_enabled(make_app):
    with pytest.raises(pytest.fail.Exception, match="'sanic' is not an enabled framework or criterion"):
        assert_plugin_contract(make_app(frameworks="flask", criteria="realtime"), "sanic")


def test_make_app_migrate_builds_the_core_tables_and_the_enabled_plugins(make_app, use_plugins):
    use_plugins("good", "owned")
    app = make_app(frameworks="numbat", criteria="latency", migrate=True)
    app.post_json("/assessments/", {"title": "Migrated"}, headers=JSON, status=201)
    app.post_json("/numbat-notes", {"text": "in numbat's own table"})
    assert app.get("/numbat-notes").json["notes"] == [{"text": "in numbat's own table", "author": None}]
    assert app.get("/readyz").json["status"] == "ready"


# --- The testing extra, in an environment of its own -------------------------------------------

AUTHOR_TESTS = """
def test_home(make_app):
    assert make_app().get("/").status_int == 200


def test_contract(plugin_contract):
    assert plugin_contract("rapid_start")["key"] == "rapid_start"
"""


def uv(*arguments: str) -> None:
    binary = shutil.which("uv", path=str(VENV_BIN)) or "uv"
    subprocess.run([binary, *arguments], check=True, capture_output=True, timeout=300)


@pytest.mark.slow
def test_the_testing_extra_brings_what_the_fixtures_need(tmp_path):
    wheels = tmp_path / "wheels"
    for project in (ROOT, ROOT / "plugins/frameworks/flask", ROOT / "plugins/criteria/rapid_start"):
        uv("build", "--wheel", "--quiet", "--out-dir", str(wheels), str(project))
    (core,) = wheels.glob("advisory_portal-*.whl")
    venv = tmp_path / "venv"
    uv("venv", "--quiet", "--python", sys.executable, str(venv))
    python = str(venv / "bin" / "python")
    plugins = [str(w) for w in sorted(wheels.glob("portal_*.whl"))]
    # A plugin author with the core and pytest, but not the extra.
    uv("pip", "install", "--quiet", "--python", python, str(core), *plugins, "pytest")
    (tmp_path / "author" / "test_author.py").parent.mkdir()
    (tmp_path / "author" / "test_author.py").write_text(AUTHOR_TESTS)

    def author_tests() -> subprocess.CompletedProcess:
        command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_author.py"]
        return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path / "author", timeout=300)

    without = author_tests()
    assert without.returncode == 1, without.stdout
    hint = "portal.testing's make_app needs webtest, which the testing extra brings: "
    assert hint + 'pip install "advisory-portal[testing]"' in without.stdout
    assert "ModuleNotFoundError" not in without.stdout and "Traceback" not in without.stdout

    uv("pip", "install", "--quiet", "--python", python, f"advisory-portal[testing] @ {Path(core).as_uri()}")
    with_extra = author_tests()
    assert with_extra.returncode == 0, with_extra.stdout + with_extra.stderr
    assert "2 passed" in with_extra.stdout
