"""``portal check`` and ``portal plugins`` as an administrator runs them: real processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PORTAL = str(Path(sys.executable).parent / "portal")


def run(env, *arguments, ini=None):
    command = [PORTAL, *arguments]
    if ini is not None:
        command.append(str(ini))
    cwd = ini.parent if ini is not None else None
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, cwd=cwd)


def write_ini(tmp_path, frameworks="*", criteria="*", weights="", extra=""):
    ini = tmp_path / "check.ini"
    ini.write_text(
        "[app:main]\nuse = egg:advisory-portal\n"
        f"sqlalchemy.url = sqlite:///{tmp_path}/x.sqlite\n"
        "portal.secret = development-only-cli-test-secret\n"
        f"portal.frameworks = {frameworks}\nportal.criteria = {criteria}\n"
        f"portal.criteria.weights = {weights}\n{extra}"
    )
    return ini


def test_check_is_clean_with_good_plugins(tmp_path, plugin_pythonpath):
    ini = write_ini(tmp_path, frameworks="quokka wombat", criteria="latency hosting")
    result = run(plugin_pythonpath("good"), "check", "--strict", ini=ini)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert ": 0 errors, 0 warnings" in result.stderr


def check_with_taste(tmp_path, plugin_pythonpath, **ini):
    """``portal check`` with the taste fixture: a criterion whose golden cases one fails."""
    return run(
        plugin_pythonpath("good", "golden"),
        "check",
        ini=write_ini(tmp_path, frameworks="quokka wombat", **ini),
    )


def test_check_warns_where_a_plugin_written_for_the_first_model_means_something_else(
    tmp_path, plugin_pythonpath
):
    # The taste fixture gives its follow-up options a need, as before factors existed.
    result = check_with_taste(tmp_path, plugin_pythonpath, criteria="taste")
    lines = [line for line in result.stdout.splitlines() if "questions[1]" in line]
    assert len(lines) == 2
    assert lines[0].startswith("warning: fixture-criterion-taste: ")
    assert lines[0].endswith(
        "criterion.toml:34: questions[1].options[0].need: a follow-up refines its parent's need: "
        "need 0.5 now counts as factor 1; write factor = ... to say what you mean"
    )


def test_check_runs_golden_cases_and_names_the_one_that_fails(tmp_path, plugin_pythonpath):
    result = check_with_taste(tmp_path, plugin_pythonpath, criteria="taste hosting")
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith("error: fixture-criterion-taste: ")
    assert errors[0].endswith(
        "criterion.toml:51: golden['wombat wanted']: no longer holds with the default weights: "
        "expected wombat first, got quokka 100.0, wombat 20.0; if the new first is the right advice, "
        "change the case's first; else find the rating or need that moved it"
    )
    skipped = [line for line in result.stdout.splitlines() if "needs another criterion" in line]
    assert skipped == [skipped[0]] and skipped[0].startswith("warning:")
    assert skipped[0].endswith(
        "skipped: 'latency.sensitivity' is not enabled; enable 'latency' to run this case"
    )


def test_golden_cases_failing_only_with_an_administrators_weights_are_warnings(tmp_path, plugin_pythonpath):
    result = check_with_taste(tmp_path, plugin_pythonpath, criteria="taste latency", weights="taste = 0")
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("warning: fixture-criterion-taste: ")
        and "golden['tasteful shop']: no longer holds with your portal.weights: expected quokka first" in line
        for line in lines
    ), result.stdout
    assert not any("golden['tasteful shop']" in line and line.startswith("error") for line in lines)


def test_check_reports_a_broken_plugin_with_exit_1(tmp_path, plugin_pythonpath):
    result = run(plugin_pythonpath("good", "broken_field", "broken_toml"), "check", ini=write_ini(tmp_path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("error: fixture-broken-field: ")
        and line.endswith(
            "portal_fixture_broken_field/criterion.toml:7: default_wieght: unknown field; "
            "did you mean 'default_weight'?"
        )
        for line in lines
    ), lines
    assert any(
        line.startswith("error: fixture-broken-toml: ") and "profile.toml:11: score: malformed TOML" in line
        for line in lines
    )


def test_check_reports_setting_errors(tmp_path, plugin_pythonpath):
    ini = write_ini(tmp_path, frameworks="quokka kangaroo", weights="latency = -2")
    result = run(plugin_pythonpath("good"), "check", ini=ini)
    assert result.returncode == 1
    assert "error: check.ini:5: portal.frameworks: 'kangaroo' is not installed" in result.stdout
    assert (
        "error: check.ini:7: portal.criteria.weights: latency: '-2' must be a finite number" in result.stdout
    )


def test_check_reports_the_core_settings_start_up_would_refuse(tmp_path, plugin_pythonpath):
    env = plugin_pythonpath("good")
    env.pop("PORTAL_SECRET", None)
    ini = write_ini(
        tmp_path, frameworks="quokka", criteria="latency", extra="portal.environment = production\n"
    )
    result = run(env, "check", ini=ini)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "error: check.ini:4: portal.secret: production refuses a development or short secret (< 32)"
    ]


def test_warnings_pass_unless_strict(tmp_path, plugin_pythonpath):
    env = plugin_pythonpath("good", "unrated")
    ini = write_ini(tmp_path, frameworks="unrated", criteria="latency")
    result = run(env, "check", ini=ini)
    assert result.returncode == 0
    assert result.stdout.startswith("warning: fixture-framework-unrated: ")
    assert "ratings.latency: does not rate the enabled criterion 'latency'" in result.stdout
    assert run(env, "check", "--strict", ini=ini).returncode == 1


def test_check_reports_two_distributions_offering_one_name(tmp_path, plugin_pythonpath):
    result = run(plugin_pythonpath("conflict"), "check", ini=write_ini(tmp_path))
    assert result.returncode == 1
    assert "framework 'twin' is offered by both fixture-twin-a and fixture-twin-b" in result.stdout


def plugin_rows(result) -> dict[str, list[str]]:
    return {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line.startswith("  ")}


def test_plugins_lists_enabled_disabled_and_broken_with_versions_and_weights(tmp_path, plugin_pythonpath):
    env = plugin_pythonpath("good", "broken_toml", "broken_field")
    ini = write_ini(tmp_path, frameworks="quokka", criteria="latency hosting", weights="latency = 2.5")
    result = run(env, "plugins", ini=ini)
    rows = plugin_rows(result)
    assert rows["quokka"] == ["fixture-framework-quokka", "1.2.0", "enabled"]
    assert rows["wombat"] == ["fixture-framework-wombat", "0.3.0", "disabled"]
    assert rows["latency"] == [
        "fixture-criterion-latency",
        "2.0.0",
        "enabled,",
        "weight",
        "2.5",
        "(yours;",
        "default",
        "1)",
    ]
    assert rows["hosting"] == ["fixture-criterion-hosting", "1.0.0", "enabled,", "weight", "1", "(default)"]
    # A disabled plugin is read too: a broken one shows before anyone enables it.
    assert rows["broken_toml"][2:] == ["disabled,", "broken", "(1", "error)"]
    assert rows["broken_field"][2:] == ["disabled,", "broken", "(1", "error)"]
    assert any(line.startswith("error: fixture-broken-toml: ") for line in result.stdout.splitlines())
    assert (
        result.stdout.index("Frameworks:")
        < result.stdout.index("  quokka")
        < result.stdout.index("Criteria:")
    )
    assert result.returncode == 1


def test_check_leaves_disabled_plugins_alone_unless_all(tmp_path, plugin_pythonpath):
    env = plugin_pythonpath("good", "broken_toml", "broken_import", "broken_field")
    ini = write_ini(tmp_path, frameworks="* -broken_toml -broken_import", criteria="* -broken_field")
    result = run(env, "check", ini=ini)
    assert result.returncode == 0, result.stdout
    assert "fixture-broken" not in result.stdout
    every = run(env, "check", "--all", ini=ini)
    assert every.returncode == 1
    broken = {line.split(":")[1].strip() for line in every.stdout.splitlines() if line.startswith("error:")}
    assert broken == {"fixture-broken-toml", "fixture-broken-import", "fixture-broken-field"}
    installed = len(
        [line for line in run(env, "plugins", ini=ini).stdout.splitlines() if line.startswith("  ")]
    )
    assert f"{installed} plugins checked: 3 errors" in every.stderr


def test_a_disabled_criterion_that_other_plugins_name_is_no_error(tmp_path):
    # The bundled profiles' when clauses, next steps and golden cases name realtime's questions.
    result = run(None, "check", ini=write_ini(tmp_path, criteria="* -realtime"))
    assert result.returncode == 0, result.stdout
    assert not [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert "skipped: 'realtime.live' is not enabled" in result.stdout


def test_a_weight_for_a_disabled_criterion_is_a_warning(tmp_path, plugin_pythonpath):
    env = plugin_pythonpath("good")
    ini = write_ini(
        tmp_path, frameworks="quokka", criteria="latency", weights="\n    latency = 2\n    hosting = 0"
    )
    result = run(env, "check", ini=ini)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines() == [
        "warning: check.ini:9: portal.criteria.weights: hosting: the criterion is disabled "
        "(portal.criteria), so this weight does nothing"
    ]
    assert run(env, "check", "--strict", ini=ini).returncode == 1
    # A criterion that is not installed at all is still an error, with the closest name.
    ini = write_ini(tmp_path, frameworks="quokka", criteria="latency", weights="hostin = 0")
    result = run(env, "check", ini=ini)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "error: check.ini:7: portal.criteria.weights: hostin: not an installed criterion"
    )
    assert "did you mean 'hosting'?" in result.stdout


def test_new_secret_prints_one_production_accepts(tmp_path, plugin_pythonpath):
    from portal.settings import MIN_SECRET_BITS_PER_CHARACTER, MIN_SECRET_LENGTH, secret_bits_per_character

    secrets = {run(None, "new-secret").stdout.strip() for _ in range(3)}
    assert len(secrets) == 3
    for secret in secrets:
        assert len(secret) >= MIN_SECRET_LENGTH
        assert secret_bits_per_character(secret) >= MIN_SECRET_BITS_PER_CHARACTER + 1.5
    env = {
        **plugin_pythonpath("good"),
        "PORTAL_SECRET": secrets.pop(),
        "PORTAL_BASE_URL": "https://p.example",
    }
    ini = write_ini(
        tmp_path, frameworks="quokka", criteria="latency", extra="portal.environment = production\n"
    )
    ini.write_text(ini.read_text().replace("portal.secret = development-only-cli-test-secret\n", ""))
    result = run(env, "check", "--strict", ini=ini)
    assert result.returncode == 0, result.stdout


def test_missing_ini_is_a_clear_error(tmp_path):
    result = run(None, "check", ini=tmp_path / "absent.ini")
    assert result.returncode == 2
    assert "cannot read settings from" in result.stderr and "Traceback" not in result.stderr
