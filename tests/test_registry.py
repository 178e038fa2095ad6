"""Start-up through real installed distributions: enabling, weights, broken and conflicting plugins."""

from __future__ import annotations

import importlib.metadata
import sys

import pytest
from pyramid.exceptions import ConfigurationConflictError

from portal.plugins import PluginError, SettingsError
from portal.testing import JSON, app_settings, build_app


@pytest.fixture
def start(tmp_path):
    """Build the real app with these settings; returns the WSGI app."""

    def start(**overrides):
        return build_app(app_settings(f"sqlite:///{tmp_path / 'p.sqlite'}", **overrides))

    return start


def installed_names(group: str) -> set[str]:
    return {ep.name for ep in importlib.metadata.entry_points(group=group)}


def test_star_enables_every_installed_plugin(use_plugins, start):
    use_plugins("good")
    catalog = start().registry.portal_catalog
    assert {"quokka", "wombat"} <= set(catalog.frameworks)
    assert set(catalog.frameworks) == installed_names("portal.frameworks")
    assert set(catalog.criteria) == installed_names("portal.criteria")


def test_a_list_enables_exactly_those(use_plugins, start):
    use_plugins("good")
    catalog = start(portal__frameworks="wombat", portal__criteria="latency").registry.portal_catalog
    assert list(catalog.frameworks) == ["wombat"]
    assert list(catalog.criteria) == ["latency"]


def test_an_empty_list_enables_nothing(use_plugins, start):
    use_plugins("good")
    catalog = start(portal__frameworks="", portal__criteria="").registry.portal_catalog
    assert dict(catalog.frameworks) == {}
    assert dict(catalog.criteria) == {}


def test_an_installed_but_disabled_plugin_does_not_appear(use_plugins, make_app):
    use_plugins("good")
    app = make_app(frameworks="quokka", criteria="latency")
    listed = [f["slug"] for f in app.get("/frameworks/", headers=JSON).json["frameworks"]]
    assert listed == ["quokka"]
    app.get("/frameworks/wombat", status=404)
    assert "Wombat" not in app.get("/").text
    assert "hosting" not in app.get("/frameworks/quokka", headers=JSON).json["ratings"]


def test_weights_override_the_default(use_plugins, make_app):
    use_plugins("good")
    app = make_app(criteria="latency hosting", portal__criteria__weights="\nlatency = 2.5\nhosting = 0")
    criteria = {c["key"]: c for c in app.get("/criteria/", headers=JSON).json["criteria"]}
    assert criteria["latency"]["weight"] == 2.5
    # Weight 0 keeps the criterion visible.
    assert criteria["hosting"]["weight"] == 0
    assert app.get("/criteria/latency", headers=JSON).json["default_weight"] == 1.0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"portal__frameworks": "quokka kangaroo"},
            "portal.frameworks",
            "'kangaroo' is not installed (installed: ",
        ),
        ({"portal__criteria": "latency speed"}, "portal.criteria", "'speed' is not installed"),
        ({"portal__frameworks": "quokka *"}, "portal.frameworks", "'*' cannot be combined"),
        ({"portal__frameworks": "quokka quokka"}, "portal.frameworks", "'quokka' is listed twice"),
        ({"portal__criteria__weights": "speed = 2"}, "portal.criteria.weights", "speed: not an installed"),
        (
            {"portal__criteria__weights": "latncy = 2"},
            "portal.criteria.weights",
            "latncy: not an installed criterion (installed: ",
        ),
        (
            {"portal__frameworks": "wombt"},
            "portal.frameworks",
            "; did you mean 'wombat'?",
        ),
        (
            {"portal__frameworks": "-wombat"},
            "portal.frameworks",
            "'-wombat' excludes from nothing; write '* -wombat' to enable all but wombat",
        ),
        (
            {"portal__frameworks": "* quokka"},
            "portal.frameworks",
            "'*' cannot be combined with names; exclude with a minus, as in '* -quokka'",
        ),
        ({"portal__frameworks": "* -wombat -wombat"}, "portal.frameworks", "'wombat' is listed twice"),
        (
            {"portal__criteria": "* -latncy"},
            "portal.criteria",
            "-latncy: 'latncy' is not installed (installed: ",
        ),
        (
            {"portal__criteria__weights": "latency = -1"},
            "portal.criteria.weights",
            "finite number of 0 or more",
        ),
        ({"portal__criteria__weights": "latency = nan"}, "portal.criteria.weights", "finite number"),
        ({"portal__criteria__weights": "latency = inf"}, "portal.criteria.weights", "finite number"),
        (
            {"portal__criteria__weights": "latency = heavy"},
            "portal.criteria.weights",
            "'heavy' is not a number",
        ),
        ({"portal__criteria__weights": "latency 2"}, "portal.criteria.weights", "not of the form"),
        ({"portal__criteria__weights": "latency = 1\nlatency = 2"}, "portal.criteria.weights", "given twice"),
    ],
)
def test_setting_errors_stop_start_up_with_one_line(use_plugins, start, overrides, field, message):
    use_plugins("good")
    with pytest.raises(SettingsError) as raised:
        start(**overrides)
    text = str(raised.value)
    assert text.startswith(f"test.ini: {field}: ")
    assert message in text
    assert "\n" not in text


def test_star_with_exclusions_enables_all_but_those(use_plugins, start):
    use_plugins("good")
    catalog = start(
        portal__frameworks="* -wombat", portal__criteria="* -hosting -latency"
    ).registry.portal_catalog
    assert set(catalog.frameworks) == installed_names("portal.frameworks") - {"wombat"}
    assert "quokka" in catalog.frameworks
    assert set(catalog.criteria) == installed_names("portal.criteria") - {"hosting", "latency"}


def test_a_weight_for_a_disabled_criterion_is_a_warning_and_does_nothing(use_plugins, start, caplog):
    use_plugins("good")
    catalog = start(
        portal__criteria="latency", portal__criteria__weights="latency = 2\nhosting = 3"
    ).registry.portal_catalog
    assert dict(catalog.weight_overrides) == {"latency": 2.0}
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "test.ini: portal.criteria.weights: hosting: the criterion is disabled (portal.criteria), "
        "so this weight does nothing"
    ]


def test_a_missing_plugin_names_the_installed_ones(use_plugins, start):
    use_plugins("good")
    with pytest.raises(SettingsError, match=r"installed: .*quokka.*wombat"):
        start(portal__frameworks="kangaroo")


def test_malformed_toml_stops_start_up_naming_distribution_file_and_field(use_plugins, start):
    use_plugins("broken_toml")
    with pytest.raises(PluginError) as raised:
        start(portal__frameworks="broken_toml", portal__criteria="")
    text = str(raised.value)
    assert text.startswith("fixture-broken-toml: ")
    assert "portal_fixture_broken_toml/profile.toml:11: score: malformed TOML" in text


def test_unknown_field_stops_start_up_naming_it(use_plugins, start):
    use_plugins("broken_field")
    with pytest.raises(PluginError) as raised:
        start(portal__frameworks="", portal__criteria="broken_field")
    assert str(raised.value).startswith("fixture-broken-field: ")
    assert str(raised.value).endswith(
        "portal_fixture_broken_field/criterion.toml:7: default_wieght: unknown field; "
        "did you mean 'default_weight'?"
    )


def test_an_import_error_names_the_distribution(use_plugins, start):
    use_plugins("broken_import")
    with pytest.raises(PluginError) as raised:
        start(portal__frameworks="broken_import", portal__criteria="")
    assert str(raised.value).startswith("fixture-broken-import: portal_fixture_broken_import: includeme: ")
    assert "portal_fixture_missing_dependency" in str(raised.value)
    assert str(raised.value).endswith(
        "; reinstall fixture-broken-import with its dependencies, or disable it"
    )


def test_a_broken_plugin_that_is_disabled_does_not_stop_start_up(use_plugins, start):
    use_plugins("good", "broken_toml", "broken_import", "broken_field")
    catalog = start(portal__frameworks="quokka", portal__criteria="latency").registry.portal_catalog
    assert list(catalog.frameworks) == ["quokka"]
    # Excluded, they are never imported (broken_import's import fails) nor read.
    catalog = start(
        portal__frameworks="* -broken_toml -broken_import", portal__criteria="* -broken_field"
    ).registry.portal_catalog
    assert "quokka" in catalog.frameworks and "broken_import" not in catalog.frameworks
    assert "portal_fixture_broken_import" not in sys.modules


def test_two_plugins_claiming_one_slug_conflict_naming_both(use_plugins, start):
    use_plugins("conflict")
    with pytest.raises(ConfigurationConflictError) as raised:
        start(portal__frameworks="twin", portal__criteria="")
    text = str(raised.value)
    assert "('portal.framework', 'twin')" in text
    assert "twin from fixture-twin-a 1.0.0" in text
    assert "twin from fixture-twin-b 1.0.0" in text
    assert "portal_fixture_twin_a/profile.toml" in text and "portal_fixture_twin_b/profile.toml" in text


def test_registrations_are_introspectable(use_plugins, start):
    use_plugins("good")
    introspector = start(portal__frameworks="quokka", portal__criteria="latency").registry.introspector
    framework = introspector.get("portal frameworks", "quokka")
    assert framework["distribution"] == "fixture-framework-quokka"
    assert framework["version"] == "1.2.0"
    assert framework["file"].endswith("portal_fixture_quokka/profile.toml")
    assert introspector.get("portal criteria", "latency")["version"] == "2.0.0"


def test_options_from_frameworks_follow_the_enabled_frameworks(use_plugins, make_app):
    use_plugins("good")
    app = make_app(frameworks="quokka wombat", criteria="hosting")
    question = app.get("/criteria/hosting", headers=JSON).json["questions"][0]
    assert [(o["key"], o["label"]) for o in question["options"]] == [
        ("quokka", "Quokka"),
        ("wombat", "Wombat"),
    ]
    app = make_app(frameworks="wombat", criteria="hosting")
    assert [o["key"] for o in app.get("/criteria/hosting", headers=JSON).json["questions"][0]["options"]] == [
        "wombat"
    ]


def test_directive_refuses_a_reserved_slug(tmp_path):
    from pyramid.config import Configurator

    profile = tmp_path / "profile.toml"
    profile.write_text(
        'slug = "compare"\ntitle = "C"\nkind = "micro"\nhomepage = "https://c.example/"\n'
        'summary = "s"\nbest_fit = ["b"]\nstrengths = ["s"]\nuse_cases = ["u"]\n'
    )
    config = Configurator(settings={})
    config.include("portal.plugins")
    with pytest.raises(
        PluginError, match=r"profile.toml:1: slug: 'compare' is reserved; choose another slug"
    ):
        config.add_framework(str(profile))


def test_the_slug_must_equal_the_entry_point_name(use_plugins, start):
    use_plugins("misnamed")
    with pytest.raises(PluginError) as raised:
        start(portal__frameworks="misnamed", portal__criteria="")
    assert str(raised.value).startswith("fixture-misnamed: ")
    assert str(raised.value).endswith(
        "profile.toml:1: slug: 'kangaroo' must equal the entry point name 'misnamed'; "
        'write slug = "misnamed", or rename the entry point in pyproject.toml'
    )
