"""Plugin-owned tables: a plugin's migrations with a version table of their own, on SQLite and PostgreSQL.

The ``owned`` fixture group holds numbat, a framework plugin whose two revisions
create ``numbat_notes`` and then add a column (a batch rebuild on SQLite). The
refusals are plugins written by the test itself: each a package with an
``includeme`` and one revision that reaches for what is not its own.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from pyramid.config import Configurator
from sqlalchemy import column, inspect, select, table

from portal.cli import main as portal
from portal.models import get_engine
from portal.models.migrations import upgrade_database
from portal.plugins import include_plugin
from portal.plugins.discovery import Installed
from portal.plugins.files import PluginError, PluginSource
from portal.plugins.migrations import MigrationRefused, registered, upgrade
from portal.testing import app_settings

from .conftest import ROOT, alembic_upgrade


def portal_engine(database_url: str):
    """The portal's own engine: on SQLite its BEGIN makes DDL transactional, as for alembic."""
    return get_engine({"sqlalchemy.url": database_url})


CORE_TABLES = {
    "alembic_version",
    "assessments",
    "answers",
    "revisions",
    "audit_events",
    "throttle_counts",
    "users",
    "auth_sessions",
    "api_tokens",
    "assessment_notes",
    "assessment_decisions",
}


def schema(database_url: str) -> dict:
    """Tables with their columns, and what each version table holds."""
    engine = portal_engine(database_url)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            tables = {t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()}
            versions = {
                t: sorted(connection.execute(select(column("version_num")).select_from(table(t))).scalars())
                for t in tables
                if t.startswith("alembic_version")
            }
    finally:
        engine.dispose()
    return {"tables": tables, "versions": versions}


@pytest.fixture
def ini(tmp_path, database_url):
    path = tmp_path / "db.ini"
    path.write_text(
        "[app:main]\nuse = egg:advisory-portal\n"
        # An ini file interpolates %(name)s: a URL's own % signs are doubled.
        f"sqlalchemy.url = {database_url.replace('%', '%%')}\n"
        "portal.secret = development-only-db-test-secret\n"
        "portal.frameworks = numbat\nportal.criteria = latency\n"
        f"[alembic]\nscript_location = {ROOT / 'alembic'}\n"
    )
    return str(path)


def test_plugin_tables_go_up_with_the_core_and_down_alone(use_plugins, make_app, database_url, ini, capsys):
    use_plugins("good", "owned")
    # alembic -c development.ini upgrade head: the core's, then every enabled plugin's.
    alembic_upgrade(database_url)
    state = schema(database_url)
    assert state["versions"] == {"alembic_version": ["0008"], "alembic_version_numbat": ["0002"]}
    assert state["tables"]["numbat_notes"] == {"id", "text", "author"}

    app = make_app(frameworks="numbat", criteria="latency", sqlalchemy__url=database_url)
    app.post_json("/numbat-notes", {"text": "kept through the rebuild", "author": "ada"})
    assert app.get("/numbat-notes").json == {"notes": [{"text": "kept through the rebuild", "author": "ada"}]}

    # One revision down: SQLite rebuilds the table to drop the column; the note stays.
    assert portal(["db", "downgrade", ini, "numbat", "0001"]) == 0
    assert "portal: numbat's tables are at 0001" in capsys.readouterr().err
    state = schema(database_url)
    assert state["versions"]["alembic_version_numbat"] == ["0001"]
    assert state["tables"]["numbat_notes"] == {"id", "text"}
    # Down to base: the plugin's table and its version table are gone, the core's untouched.
    assert portal(["db", "downgrade", ini, "numbat", "base"]) == 0
    state = schema(database_url)
    assert set(state["tables"]) == CORE_TABLES
    assert state["versions"] == {"alembic_version": ["0008"]}

    assert portal(["db", "upgrade", ini]) == 0
    assert "portal: the core and every enabled plugin are at head" in capsys.readouterr().err
    assert schema(database_url)["versions"] == {
        "alembic_version": ["0008"],
        "alembic_version_numbat": ["0002"],
    }


def test_only_enabled_plugins_migrate(use_plugins, database_url):
    use_plugins("good", "owned")
    upgrade_database(app_settings(database_url, portal__frameworks="quokka", portal__criteria="latency"))
    assert set(schema(database_url)["tables"]) == CORE_TABLES
    upgrade_database(
        app_settings(database_url, portal__frameworks="quokka numbat", portal__criteria="latency")
    )
    assert "numbat_notes" in schema(database_url)["tables"]


def test_other_alembic_commands_leave_plugin_tables_alone(use_plugins, database_url):
    from alembic import command

    from .conftest import alembic_config

    use_plugins("good", "owned")
    alembic_upgrade(database_url, "0004")  # not head: the core's only
    assert schema(database_url)["versions"] == {"alembic_version": ["0004"]}
    alembic_upgrade(database_url)
    command.downgrade(alembic_config(database_url), "0004")
    assert schema(database_url)["versions"] == {
        "alembic_version": ["0004"],
        "alembic_version_numbat": ["0002"],
    }


def test_db_commands_name_what_is_wrong_in_one_line(use_plugins, database_url, ini, capsys):
    use_plugins("good", "owned")
    assert portal(["db", "downgrade", ini, "platypus", "base"]) == 1
    assert capsys.readouterr().err == "portal: no installed plugin is named 'platypus'\n"
    assert portal(["db", "downgrade", ini, "quokka", "base"]) == 1
    assert "plugin 'quokka' ships no migrations" in capsys.readouterr().err
    alembic_upgrade(database_url)
    assert portal(["db", "downgrade", ini, "numbat", "0007"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("portal: ") and "0007" in error and "Traceback" not in error
    assert portal(["db", "upgrade", "missing.ini"]) == 1
    assert "cannot read settings from missing.ini" in capsys.readouterr().err


# --- Refusals ----------------------------------------------------------------------------------

ROGUE_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("{name}_things", sa.Column("id", sa.Integer(), primary_key=True))
    {body}


def downgrade():
    op.drop_table("{name}_things")
"""


def include(tmp_path, monkeypatch, packages: dict[str, str]) -> Configurator:
    """Include the packages this test wrote (plugin name -> package) as start-up includes plugins."""
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    config = Configurator(settings={})
    config.include("portal.plugins")
    for name, package in packages.items():
        sys.modules.pop(package, None)  # a package of this name written by an earlier test
        source = PluginSource("criterion", f"portal-criterion-{name}", "1.0", entry_point=name)
        include_plugin(config, Installed(source, package))
    return config


def write_package(
    tmp_path, package: str, folder: str, tables: list[str], revision: str | None = None
) -> None:
    (tmp_path / package / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / package / "__init__.py").write_text(
        f"def includeme(config):\n    config.add_migrations('{package}:{folder}', tables={tables!r})\n"
    )
    if revision is not None:
        (tmp_path / package / "migrations" / "versions" / "r1.py").write_text(revision)


def rogue_plugin(tmp_path, monkeypatch, name: str, body: str = "pass", tables=None):
    """A plugin of this test's own: an includeme and one revision that also runs ``body``."""
    package = f"portal_rogue_{name}"
    declared = [f"{name}_things"] if tables is None else tables
    write_package(tmp_path, package, "migrations", declared, ROGUE_REVISION.format(name=name, body=body))
    config = include(tmp_path, monkeypatch, {name: package})
    config.commit()
    return registered(config.registry)[name]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ('op.drop_table("assessments")', "'assessments' (one of the core's tables)"),
        ('op.add_column("answers", sa.Column("extra", sa.Text()))', "'answers' (one of the core's tables)"),
        ('op.execute(sa.table("revisions").delete())', "'revisions' (one of the core's tables)"),
        ("op.execute(\"UPDATE alembic_version SET version_num = '9999'\")", "SQL naming 'alembic_version'"),
        ('op.execute("DELETE FROM Audit_Events")', "SQL naming 'Audit_Events'"),
        ('op.create_table("elsewhere", sa.Column("id", sa.Integer()))', "'elsewhere' (a table it did not"),
    ],
    ids=[
        "drop core table",
        "alter core table",
        "delete core rows",
        "core version table",
        "raw sql",
        "undeclared",
    ],
)
def test_a_plugin_touching_what_is_not_its_own_is_refused_and_rolled_back(
    tmp_path, monkeypatch, database_url, body, named
):
    alembic_upgrade(database_url)
    before = schema(database_url)
    rogue = rogue_plugin(tmp_path, monkeypatch, "rogue", body)
    engine = portal_engine(database_url)
    try:
        with engine.connect() as connection, pytest.raises(MigrationRefused) as refused:
            upgrade(connection, rogue)
    finally:
        engine.dispose()
    message = str(refused.value)
    assert message.startswith("portal-criterion-rogue: ") and named in message
    assert "a plugin's migrations touch only its own tables (rogue_things)" in message
    # Its own first statement is rolled back with the refused one; the core is as it was.
    assert schema(database_url) == before


def test_a_plugin_cannot_touch_another_plugins_table(tmp_path, monkeypatch, database_url):
    alembic_upgrade(database_url)
    first = rogue_plugin(tmp_path, monkeypatch, "first")
    second = rogue_plugin(tmp_path, monkeypatch, "second", 'op.execute("DELETE FROM first_things")')
    engine = portal_engine(database_url)
    try:
        with engine.connect() as connection:
            upgrade(connection, first, [first, second])
            with pytest.raises(MigrationRefused, match="SQL naming 'first_things'"):
                upgrade(connection, second, [first, second])
    finally:
        engine.dispose()
    assert schema(database_url)["versions"] == {"alembic_version": ["0008"], "alembic_version_first": ["r1"]}


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        (["assessments"], "'assessments' is one of the core's tables"),
        (["alembic_version"], "'alembic_version' is one of the core's tables"),
        (["alembic_version_mine"], "'alembic_version_mine' is reserved for version tables"),
        (["Bad-Name"], "'Bad-Name' is not a table name"),
        ([], "name the tables these migrations create"),
    ],
)
def test_a_plugin_cannot_declare_a_core_or_version_table_as_its_own(tmp_path, monkeypatch, tables, message):
    with pytest.raises(PluginError) as refused:
        rogue_plugin(tmp_path, monkeypatch, "greedy", tables=tables)
    assert str(refused.value).startswith("portal-criterion-greedy: ")
    assert "migrations.tables: " + message in str(refused.value)


def test_two_plugins_claiming_one_table_conflict(tmp_path, monkeypatch):
    from pyramid.exceptions import ConfigurationConflictError

    for name in ("left", "right"):
        write_package(tmp_path, f"portal_claim_{name}", "migrations", ["shared"])
    config = include(tmp_path, monkeypatch, {"left": "portal_claim_left", "right": "portal_claim_right"})
    with pytest.raises(ConfigurationConflictError, match=r"portal\.table"):
        config.commit()


def test_migrations_need_a_versions_folder(tmp_path, monkeypatch):
    write_package(tmp_path, "portal_rogue_empty", "nowhere", ["empty_x"])
    with pytest.raises(PluginError, match="'portal_rogue_empty:nowhere' is not an alembic script folder"):
        include(tmp_path, monkeypatch, {"empty": "portal_rogue_empty"})


def test_alembic_stops_in_one_line_before_migrating_when_an_enabled_plugin_cannot_load(
    tmp_path, plugin_pythonpath
):
    ini = tmp_path / "broken.ini"
    database = tmp_path / "broken.sqlite"
    ini.write_text(
        "[app:main]\nuse = egg:advisory-portal\n"
        f"sqlalchemy.url = sqlite:///{database}\n"
        "portal.secret = development-only-db-test-secret\n"
        f"[alembic]\nscript_location = {ROOT / 'alembic'}\n"
    )
    alembic = str(Path(sys.executable).parent / "alembic")
    result = subprocess.run(
        [alembic, "-c", str(ini), "upgrade", "head"],
        capture_output=True,
        text=True,
        env=plugin_pythonpath("broken_toml"),
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("alembic: fixture-broken-toml: ") and "malformed TOML" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert set(schema(f"sqlite:///{database}")["tables"]) == set()  # nothing migrated
