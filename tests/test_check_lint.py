"""``portal check`` as a linter: each finding on a plugin broken on purpose names the file,
the line, the field and what to do, in text and in ``--format json``.

The fixture plugins of the "lint" group (tests/fixture_plugins/lint_*) load, but are
wrong in the ways each test below describes; "future" is built for another major
version of the core.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from pyramid.config import Configurator

from portal.plugins import PluginError
from portal.plugins.lint import DISAGREEMENT, findings
from portal.testing import app_settings, build_app

from .test_cli import run, write_ini

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = "quokka wombat bilby tangle future"
CRITERIA = "latency gauge"


@pytest.fixture(scope="module")
def checked(plugin_targets, tmp_path_factory):
    """``portal check`` over the lint fixtures, once as text and once as JSON."""
    import os

    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(plugin_targets[g]) for g in ("good", "lint", "future")),
    }
    ini = write_ini(tmp_path_factory.mktemp("lint"), frameworks=FRAMEWORKS, criteria=CRITERIA)
    text = run(env, "check", ini=ini)
    as_json = run(env, "check", "--format", "json", ini=ini)
    return text, as_json


def lines_about(checked, *words: str) -> list[str]:
    text, _ = checked
    return [line for line in text.stdout.splitlines() if all(word in line for word in words)]


def one_line(checked, *words: str) -> str:
    found = lines_about(checked, *words)
    assert len(found) == 1, (words, checked[0].stdout)
    return found[0]


def test_a_misspelt_rating_key_names_the_line_and_the_criterion_meant(checked):
    line = one_line(checked, "ratings.latncy")
    assert line.startswith("warning: fixture-framework-bilby: ")
    assert line.endswith(
        "portal_fixture_bilby/profile.toml:16: ratings.latncy: rates 'latncy', but no installed criterion "
        "has that key, so the rating is unused; did you mean 'latency'?"
    )
    # The typo explains why latency is unrated: no second, unrelated warning.
    assert lines_about(checked, "bilby", "does not rate") == []


def test_a_rating_for_a_criterion_nobody_installed_is_a_warning_naming_the_plugin(checked):
    line = one_line(checked, "ratings.blockchain")
    assert line.startswith("warning: fixture-framework-bilby: ")
    assert "portal_fixture_bilby/profile.toml:21: ratings.blockchain: rates 'blockchain'" in line
    assert line.endswith("; remove it, or install the criterion plugin 'blockchain' it was written for")


def test_a_misspelt_framework_in_a_criterions_ratings_is_blamed_on_the_criterion(checked):
    line = one_line(checked, "ratings.quoka")
    assert line.startswith("warning: fixture-criterion-gauge: ")
    assert line.endswith(
        "portal_fixture_gauge/criterion.toml:68: ratings.quoka: a default rating for 'quoka', but no "
        "installed framework has that slug, so the rating is unused; did you mean 'quokka'?"
    )
    assert lines_about(checked, "fixture-framework-quokka") == []


def test_question_and_answer_keys_of_when_clauses_and_next_steps_get_did_you_mean(checked):
    clause = one_line(checked, "ratings.gauge.when[0].in")
    assert clause.startswith("error: fixture-framework-bilby: ")
    assert clause.endswith(
        "profile.toml:32: ratings.gauge.when[0].in: 'critcal' is not an answer of 'latency.sensitivity'; "
        "did you mean 'critical'?"
    )
    step = one_line(checked, "next_steps[1]")
    assert step.endswith(
        "profile.toml:12: next_steps[1].question: no installed criterion asks 'latency.sensitivty'; "
        "did you mean 'latency.sensitivity'?"
    )


def test_unreachable_questions_are_named_with_their_condition(checked):
    depth = one_line(checked, "'gauge.depth' is never asked")
    assert depth.startswith("warning: fixture-criterion-gauge: ")
    assert "criterion.toml:37: questions[2].condition: 'gauge.depth' is never asked: its condition " in depth
    assert depth.endswith("list answers that exist: bilby, quokka, wombat")
    years = one_line(checked, "'gauge.years' is never asked")
    assert years.endswith(
        "criterion.toml:54: questions[3].condition: 'gauge.years' is never asked: it follows 'gauge.depth', "
        "which is never asked; fix the condition of 'gauge.depth' first"
    )


def test_options_whose_needs_are_all_equal(checked):
    line = one_line(checked, "changes nothing")
    assert line.endswith(
        "criterion.toml:15: questions[0].options: every option of 'gauge.level' gives need 0.5, so the "
        "answer changes nothing; give the options the needs their answers deserve, or remove the question"
    )
    # Options from the frameworks all share option_need on purpose: not a finding.
    assert lines_about(checked, "gauge.tools", "changes nothing") == []


def test_empty_rationales(checked):
    empty = lines_about(checked, "is empty: the client reads it as the reason for the score")
    assert len(empty) == 2
    assert any("profile.toml:34: ratings.gauge.when[0].rationale: is empty" in line for line in empty)
    assert any(
        line.startswith("warning: fixture-criterion-gauge: ")
        and "criterion.toml:70: ratings.wombat.rationale: is empty" in line
        for line in empty
    )
    assert all(
        line.endswith("; say in a sentence or two why the framework earns this score") for line in empty
    )


def test_a_profile_far_from_the_criterions_default(checked):
    line = one_line(checked, "points from")
    assert line.startswith("warning: fixture-framework-bilby: ")
    assert (
        "profile.toml:27: ratings.gauge.score: 5 is 4 points from fixture-criterion-gauge's default 1" in line
    )
    assert line.endswith(
        "check both against the rubric (0: guesses 5: measures exactly) and correct the one that misreads it"
    )


def test_type_errors_are_one_message_per_field_with_how_to_write_it(checked):
    score = one_line(checked, "fixture-framework-tangle", "ratings.latency")
    assert score.endswith(
        "portal_fixture_tangle/profile.toml:15: ratings.latency.score: must be a number, not the text '4'; "
        "write score = 4 without quotes"
    )
    # A next step is text or a table: the union's two members make one message.
    step = one_line(checked, "fixture-framework-tangle", "next_steps")
    assert step.endswith(
        "portal_fixture_tangle/profile.toml:11: next_steps[0].in: must be a list [ … ], not the text "
        "'critical'; write in = [\"critical\"]"
    )
    assert len(lines_about(checked, "fixture-framework-tangle")) == 2


def test_a_plugin_built_for_another_major_version_of_the_core_is_refused(checked, use_plugins, tmp_path):
    from portal.plugins.compat import core_version

    line = one_line(checked, "fixture-framework-future")
    assert line.startswith("error: fixture-framework-future: ")
    assert (
        f"/METADATA:6: dependencies: built for advisory-portal<3,>=2, not for this portal's {core_version()}"
        in line
    )
    assert line.endswith(
        f"install a release of fixture-framework-future made for advisory-portal {core_version()}, "
        "or disable it"
    )
    # At start-up: one line, and its includeme (which would fail the test) never runs.
    use_plugins("good", "future")
    with pytest.raises(PluginError) as raised:
        build_app(app_settings(f"sqlite:///{tmp_path / 'p.sqlite'}", portal__frameworks="quokka future"))
    text = str(raised.value)
    assert text.startswith("fixture-framework-future: ") and "\n" not in text
    assert "built for advisory-portal<3,>=2" in text


def test_exit_code_and_json_carry_the_same_findings(checked):
    text, as_json = checked
    assert text.returncode == as_json.returncode == 1
    document = json.loads(as_json.stdout)
    assert document["format"] == 1
    assert document["plugins_checked"] == 7
    shown = [line for line in text.stdout.splitlines()]
    assert [f"{f['level']}: {f['text']}" for f in document["findings"]] == shown
    assert document["errors"] == sum(line.startswith("error:") for line in shown)
    assert document["warnings"] == sum(line.startswith("warning:") for line in shown)
    typo = next(f for f in document["findings"] if f["field"] == "ratings.latncy")
    assert typo["file"].endswith("portal_fixture_bilby/profile.toml")
    assert {k: typo[k] for k in ("level", "distribution", "line", "column", "suggestion")} == {
        "level": "warning",
        "distribution": "fixture-framework-bilby",
        "line": 16,
        "column": 1,
        "suggestion": "did you mean 'latency'?",
    }
    assert (
        typo["message"] == "rates 'latncy', but no installed criterion has that key, so the rating is unused"
    )


def test_json_names_the_ini_file_and_line_of_a_setting(tmp_path, plugin_pythonpath):
    ini = write_ini(tmp_path, frameworks="quokka wombt", criteria="latency")
    result = run(plugin_pythonpath("good"), "check", "--format", "json", ini=ini)
    assert result.returncode == 1
    [setting] = [f for f in json.loads(result.stdout)["findings"] if f["field"] == "portal.frameworks"]
    assert setting["distribution"] is None
    assert setting["file"] == "check.ini"
    assert setting["field"] == "portal.frameworks"
    assert setting["line"] == 5
    assert setting["suggestion"].startswith("did you mean 'wombat'?")


def test_a_clean_start_up_never_reads_a_file_twice(tmp_path, plugin_pythonpath):
    """Positions come from a second, position-aware parse only when there is a problem to report."""
    probe = (
        "import sys\n"
        "from portal.plugins import PluginError\n"
        "from portal.testing import app_settings, build_app\n"
        f"settings = app_settings('sqlite:///{tmp_path / 'p.sqlite'}', portal__frameworks=sys.argv[1], "
        "portal__criteria='latency')\n"
        "try:\n    build_app(settings)\nexcept PluginError as error:\n    print(error)\n"
        "print('tree_sitter' in sys.modules)\n"
    )
    env = plugin_pythonpath("good", "broken_toml", "lint")
    clean = subprocess.run([sys.executable, "-c", probe, "quokka"], env=env, capture_output=True, text=True)
    assert clean.stdout.splitlines() == ["False"], clean.stderr
    broken = subprocess.run([sys.executable, "-c", probe, "tangle"], env=env, capture_output=True, text=True)
    first, parsed = broken.stdout.splitlines()
    assert "profile.toml:15: ratings.latency.score: must be a number" in first
    assert first.endswith("(and 1 more; run `portal check`)")
    assert parsed == "True"


def test_bundled_plugins_declare_the_core_versions_they_fit():
    from portal.plugins.compat import core_version

    version = core_version()
    major = int(version.split(".")[0])
    files = sorted(ROOT.glob("plugins/*/*/pyproject.toml"))
    assert len(files) >= 20
    for file in files:
        dependencies = [Requirement(d) for d in tomllib.loads(file.read_text())["project"]["dependencies"]]
        [core] = [d for d in dependencies if d.name == "advisory-portal"]
        assert core.specifier.contains(version), file
        assert not core.specifier.contains(f"{major + 1}.0"), f"{file}: no upper bound on the major version"


@pytest.mark.parametrize(
    ("own", "default", "flagged"), [(5, 1, True), (5, 3, True), (4, 3, False), (4.5, 3, False)]
)
def test_the_disagreement_threshold(tmp_path, own, default, flagged):
    assert DISAGREEMENT == 2
    profile = tmp_path / "profile.toml"
    profile.write_text(
        'slug = "kiwi"\ntitle = "Kiwi"\nkind = "micro"\nhomepage = "https://kiwi.example/"\n'
        'summary = "s"\nbest_fit = ["b"]\nstrengths = ["s"]\nuse_cases = ["u"]\n\n'
        f'[ratings.speed]\nscore = {own}\nrationale = "Its own view."\n'
    )
    criterion = tmp_path / "criterion.toml"
    criterion.write_text(
        'key = "speed"\ntitle = "Speed"\ncategory = "Performance"\ndescription = "d"\n'
        'rubric = "0: slow 5: fast"\n'
        '[[questions]]\nkey = "speed.matters"\ntext = "t"\nkind = "single"\n'
        '  [[questions.options]]\n  key = "no"\n  label = "No"\n  need = 0.0\n'
        '  [[questions.options]]\n  key = "yes"\n  label = "Yes"\n  need = 1.0\n\n'
        f'[ratings]\nkiwi = {{ score = {default}, rationale = "The criterion\'s view." }}\n'
    )
    config = Configurator(settings={})
    config.include("portal.plugins")
    config.add_framework(str(profile))
    config.add_criterion(str(criterion))
    config.commit()
    catalog = config.registry.portal_catalog
    chosen = {"framework": {"kiwi"}, "criterion": {"speed"}}
    found = [str(p) for p in findings(catalog, chosen, chosen) if "points from" in p.message]
    assert bool(found) is flagged, found
    if flagged:
        assert f"profile.toml: ratings.speed.score: {own:g} is {own - default:g} points from" in found[0]


@pytest.mark.parametrize(
    ("requires", "refused"),
    [
        (["advisory-portal<3,>=2"], True),
        (["advisory_portal (>=2)"], True),
        (["advisory-portal<1,>=0.1"], False),
        (["advisory-portal"], False),
        ([], False),
        # Only its tests need a later core: the plugin itself fits.
        (['advisory-portal[testing]>=2; extra == "test"'], False),
        (['advisory-portal[testing]>=2; extra == "test"', "advisory-portal<0.1"], True),
        (["advisory-portal-extras>=9"], False),
    ],
)
def test_which_declarations_of_the_core_refuse_a_plugin(tmp_path, requires, refused):
    import importlib.metadata

    from portal.plugins.compat import incompatibility
    from portal.plugins.discovery import Installed
    from portal.plugins.files import PluginSource

    info = tmp_path / "fixture_kiwi-1.0.dist-info"
    info.mkdir()
    lines = ["Metadata-Version: 2.1", "Name: fixture-kiwi", "Version: 1.0"]
    (info / "METADATA").write_text("\n".join(lines + [f"Requires-Dist: {r}" for r in requires]) + "\n")
    source = PluginSource("framework", "fixture-kiwi", "1.0", "kiwi")
    problem = incompatibility(Installed(source, "kiwi", importlib.metadata.PathDistribution(info)))
    assert (problem is not None) is refused
    if refused:
        assert str(problem).startswith(
            f"fixture-kiwi: {info}/METADATA:{3 + len(requires)}: dependencies: built for "
        )
