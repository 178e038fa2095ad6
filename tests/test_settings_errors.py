"""Settings errors as an administrator meets them: the ini file and line, "did you mean", and
one line instead of a traceback when pserve or gunicorn start the portal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pyramid.paster import get_appsettings

from portal import main
from portal.plugins import SettingsError

from .conftest import ROOT
from .served import free_port, listen_on

BIN = Path(sys.executable).parent


def write_ini(tmp_path: Path, frameworks="quokka wombat", criteria="latency hosting", weights="", extra=""):
    """A small ini file whose lines the tests know: frameworks on line 5, criteria on 6, weights on 7."""
    ini = tmp_path / "portal.ini"
    ini.write_text(
        "[app:main]\n"
        "use = egg:advisory-portal\n"
        f"sqlalchemy.url = sqlite:///{tmp_path}/p.sqlite\n"
        "portal.secret = development-only-settings-errors-test\n"
        f"portal.frameworks = {frameworks}\n"
        f"portal.criteria = {criteria}\n"
        f"portal.criteria.weights = {weights}\n"
        f"{extra}"
    )
    return ini


def start(ini: Path):
    """``portal.main`` as pserve calls it, with the ini file's settings and its path."""
    return main({"__file__": str(ini), "here": str(ini.parent)}, **get_appsettings(str(ini)))


def error_of(ini: Path) -> str:
    with pytest.raises(SettingsError) as raised:
        start(ini)
    return str(raised.value)


@pytest.fixture
def good(use_plugins, monkeypatch, tmp_path):
    use_plugins("good")
    monkeypatch.chdir(tmp_path)  # messages show the ini file relative to the working folder
    for name in ("PORTAL_FRAMEWORKS", "PORTAL_CRITERIA", "PORTAL_SECRET", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_a_misspelt_framework_names_file_line_and_the_closest_installed_one(good, tmp_path):
    text = error_of(write_ini(tmp_path, frameworks="quokka wombt"))
    assert text.startswith("portal.ini:5: portal.frameworks: 'wombt' is not installed (installed: ")
    assert text.endswith("); did you mean 'wombat'?")
    assert "install the distribution" not in text


def test_a_name_like_none_installed_says_what_to_install(good, tmp_path):
    text = error_of(write_ini(tmp_path, frameworks="kangaroo"))
    assert text.startswith("portal.ini:5: portal.frameworks: 'kangaroo' is not installed (installed: ")
    assert text.endswith("; install the distribution that provides it, e.g. portal-framework-kangaroo")


def test_an_exclusion_of_something_not_installed_is_an_error(good, tmp_path):
    text = error_of(write_ini(tmp_path, criteria="* -latncy"))
    assert text.startswith("portal.ini:6: portal.criteria: -latncy: 'latncy' is not installed")
    assert text.endswith("did you mean 'latency'?")


def test_a_weight_error_names_the_line_of_that_weight(good, tmp_path):
    ini = write_ini(tmp_path, weights="\n    latency = 2\n    hostng = 1")
    text = error_of(ini)
    assert ini.read_text().splitlines()[8].strip() == "hostng = 1"
    assert text.startswith("portal.ini:9: portal.criteria.weights: hostng: not an installed criterion")
    assert text.endswith("did you mean 'hosting'?")


def test_core_settings_name_their_line_and_the_closest_value(good, tmp_path):
    text = error_of(write_ini(tmp_path, extra="portal.environment = prodution\n"))
    assert text == (
        "portal.ini:8: portal.environment: 'prodution' is neither development nor production; "
        "did you mean 'production'?"
    )


def test_a_value_from_the_environment_names_the_variable(good, tmp_path, monkeypatch):
    ini = write_ini(tmp_path)
    ini.write_text(ini.read_text().replace("portal.frameworks = quokka wombat\n", ""))
    monkeypatch.setenv("PORTAL_FRAMEWORKS", "quoka")
    text = error_of(ini)
    assert text.startswith(
        "environment variable PORTAL_FRAMEWORKS: portal.frameworks: 'quoka' is not installed"
    )
    assert text.endswith("did you mean 'quokka'?")


def test_the_line_is_found_in_the_section_whose_value_was_used(good, tmp_path):
    ini = write_ini(tmp_path)
    ini.write_text(ini.read_text() + "\n[app:other]\nuse = main\nportal.frameworks = wombatt\n")
    settings = get_appsettings(str(ini), "other")
    with pytest.raises(SettingsError) as raised:
        main({"__file__": str(ini)}, **settings)
    number = ini.read_text().splitlines().index("portal.frameworks = wombatt") + 1
    assert number == 11  # not line 5, where [app:main] sets it
    assert str(raised.value).startswith(f"portal.ini:{number}: portal.frameworks: 'wombatt' is not installed")


# --- Start-up through the ini file: one line, no traceback -------------------------------------


def broken_ini(tmp_path: Path) -> Path:
    """A copy of development.ini that enables a misspelt framework."""
    text = listen_on((ROOT / "development.ini").read_text(), free_port())
    text = text.replace("%(here)s/alembic", str(ROOT / "alembic"))
    text = text.replace("portal.frameworks = *", "portal.frameworks = * -wombatt")
    ini = tmp_path / "development.ini"
    ini.write_text(text)
    return ini


def expected_line(ini: Path) -> str:
    number = ini.read_text().splitlines().index("portal.frameworks = * -wombatt") + 1
    return f"portal: development.ini:{number}: portal.frameworks: -wombatt: 'wombatt' is not installed"


def run(command: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=60)


def assert_one_line(result: subprocess.CompletedProcess, ini: Path) -> None:
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.startswith("portal: ")]
    assert lines[0].startswith(expected_line(ini)), result.stderr
    assert lines[0].endswith("did you mean 'wombat'?")
    assert lines[1] == "portal: run `portal check development.ini` to see every problem"


def test_pserve_prints_one_line_and_exits_2(tmp_path, plugin_pythonpath):
    ini = broken_ini(tmp_path)
    result = run([str(BIN / "pserve"), str(ini)], plugin_pythonpath("good"), tmp_path)
    assert result.returncode == 2
    assert_one_line(result, ini)
    assert len(result.stderr.splitlines()) == 2, result.stderr


def test_pshell_prints_the_same_line(tmp_path, plugin_pythonpath):
    ini = broken_ini(tmp_path)
    result = run([str(BIN / "pshell"), str(ini)], plugin_pythonpath("good"), tmp_path)
    assert result.returncode == 2
    assert_one_line(result, ini)


def test_a_broken_plugin_is_one_line_too(tmp_path, plugin_pythonpath):
    ini = broken_ini(tmp_path)
    ini.write_text(
        ini.read_text().replace("portal.frameworks = * -wombatt", "portal.frameworks = broken_toml")
    )
    result = run([str(BIN / "pserve"), str(ini)], plugin_pythonpath("broken_toml"), tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    first, hint = result.stderr.splitlines()
    assert first.startswith("portal: fixture-broken-toml: ") and "profile.toml:11" in first
    assert hint == "portal: run `portal check development.ini` to see every problem"


def test_two_plugins_claiming_one_name_is_one_line(tmp_path, plugin_pythonpath):
    ini = broken_ini(tmp_path)
    ini.write_text(ini.read_text().replace("portal.frameworks = * -wombatt", "portal.frameworks = twin"))
    result = run([str(BIN / "pserve"), str(ini)], plugin_pythonpath("conflict"), tmp_path)
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr
    assert first.startswith(
        "portal: conflict: ('portal.framework', 'twin') is claimed by twin from fixture-twin-a"
    )
    assert "and by twin from fixture-twin-b 1.0.0" in first


def test_gunicorn_stops_instead_of_starting_workers_again(tmp_path, plugin_pythonpath):
    ini = broken_ini(tmp_path)
    command = [
        str(BIN / "gunicorn"),
        "--paste",
        str(ini),
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{free_port()}",
        "--workers",
        "2",
        "--no-control-socket",
    ]
    # A master that started workers again and again would never end: the timeout fails the test.
    result = run(command, plugin_pythonpath("good"), tmp_path)
    # gunicorn.conf.py's on_starting: the master stops before any worker starts (when two
    # workers failed alike, gunicorn 27 could print a traceback of its own while halting).
    assert result.returncode == 2, result.stderr
    assert_one_line(result, ini)
    assert "Booting worker" not in result.stderr + result.stdout


def test_without_the_projects_gunicorn_conf_a_worker_stops_the_master(tmp_path, plugin_pythonpath):
    ini = broken_ini(tmp_path)
    no_config = tmp_path / "gunicorn.empty.conf.py"
    no_config.write_text("")
    command = [str(BIN / "gunicorn"), "--paste", str(ini), "-c", str(no_config)]
    command += ["--bind", f"127.0.0.1:{free_port()}", "--workers", "1", "--no-control-socket"]
    result = run(command, plugin_pythonpath("good"), tmp_path)
    assert result.returncode == 4, result.stderr  # gunicorn's APP_LOAD_ERROR
    assert_one_line(result, ini)
    assert "App failed to load" in result.stderr
