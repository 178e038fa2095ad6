"""Where the schema stands: the migrations' head against what a database has applied.

The migrations are the ones an administrator runs: the ``[alembic]`` section of
the ini file the portal was started from, else the ``alembic/`` folder of the
checkout the ``portal`` package sits in.
"""

from __future__ import annotations

from configparser import ConfigParser
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection

CHECKOUT_MIGRATIONS = Path(__file__).resolve().parents[2] / "alembic"


def script_location(ini_file: str | None) -> Path | None:
    if ini_file and Path(ini_file).is_file():
        parser = ConfigParser(defaults={"here": str(Path(ini_file).resolve().parent)})
        parser.read(ini_file)
        if parser.has_option("alembic", "script_location"):
            return Path(parser.get("alembic", "script_location"))
    # Installed from a wheel, two folders up is site-packages, whose alembic/ is the library.
    return CHECKOUT_MIGRATIONS if (CHECKOUT_MIGRATIONS / "versions").is_dir() else None


def head_revisions(location: Path | None) -> frozenset[str]:
    from alembic.script import ScriptDirectory

    if location is None or not location.is_dir():
        return frozenset()
    return frozenset(ScriptDirectory(str(location)).get_heads())


def applied_revisions(connection: Connection) -> frozenset[str]:
    """What the database's ``alembic_version`` holds (empty before the first migration)."""
    if not connection.dialect.has_table(connection, "alembic_version"):
        return frozenset()
    return frozenset(connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all())


# --- Core and plugins together: ``portal db``, alembic's env.py and portal.testing ---------------


def upgrade_database(settings: dict, ini_file: str | None = None) -> None:
    """The core's migrations, then every enabled plugin's (``alembic upgrade heads``).

    Without the core's migrations (an install from a wheel, where a plugin author
    tests), the core's tables come from its models, which the core's tests hold
    equal to the migrations.
    """
    from alembic import command
    from alembic.config import Config

    location = script_location(ini_file)
    if location is None:
        from ..plugins.migrations import enabled_migrations, upgrade
        from . import Base, get_engine

        plugins = enabled_migrations(settings, ini_file)
        engine = get_engine(settings)
        try:
            Base.metadata.create_all(engine)
            with engine.connect() as connection:
                for plugin in plugins:
                    upgrade(connection, plugin, plugins)
        finally:
            engine.dispose()
        return
    config = Config(ini_file) if ini_file else Config()
    config.set_main_option("script_location", str(location))
    config.attributes.update(settings=settings, configure_logger=False)
    command.upgrade(config, "heads")


def plugin_status(connection: Connection, plugins, heads: dict[str, frozenset[str]]) -> dict[str, dict]:
    """Each plugin's applied revisions beside its head, for ``/readyz``."""
    return {
        plugin.name: {"applied": sorted(plugin.applied(connection)), "head": sorted(heads[plugin.name])}
        for plugin in plugins
    }


def upgrade_command(ini_file: str) -> int:
    """``portal db upgrade``: alembic's own upgrade, whose env.py runs the plugins' after the core's."""
    from alembic import command
    from alembic.config import Config

    if not Path(ini_file).is_file():
        return _fail(f"cannot read settings from {ini_file}: no such file")
    config = Config(ini_file)
    if not config.get_main_option("script_location"):
        return _fail(f"{ini_file} has no [alembic] section with a script_location")
    return _reporting(
        lambda: command.upgrade(config, "heads"), "the core and every enabled plugin are at head"
    )


def downgrade_command(ini_file: str, plugin: str, revision: str) -> int:
    """``portal db downgrade <plugin> <revision>``: one plugin's tables, enabled or not (``base``: gone)."""
    from pyramid.paster import get_appsettings, setup_logging

    from ..settings import maybe_set

    try:
        settings = dict(get_appsettings(ini_file))
    except (FileNotFoundError, LookupError, ValueError) as error:
        return _fail(f"cannot read settings from {ini_file}: {error}")
    maybe_set(settings, "sqlalchemy.url", "DATABASE_URL")
    setup_logging(ini_file)  # alembic reports each step, as for an upgrade
    return _reporting(lambda: _downgrade(settings, plugin, revision), f"{plugin}'s tables are at {revision}")


def _downgrade(settings: dict, name: str, revision: str) -> None:
    from pyramid.config import Configurator

    from ..plugins import include_plugin
    from ..plugins.discovery import GROUPS, installed
    from ..plugins.migrations import downgrade, registered
    from . import get_engine

    offers = [offer for kind in GROUPS for offer in installed(kind).get(name, [])[:1]]
    if not offers:
        raise NoMigrations(f"no installed plugin is named {name!r}")
    config = Configurator(settings=dict(settings))
    config.include("portal.plugins")
    for offer in offers:
        include_plugin(config, offer)
    config.commit()
    migrations = registered(config.registry).get(name)
    if migrations is None:
        raise NoMigrations(f"plugin {name!r} ships no migrations (its includeme calls no add_migrations)")
    engine = get_engine(settings)
    try:
        with engine.connect() as connection:
            downgrade(connection, migrations, revision)
    finally:
        engine.dispose()


class NoMigrations(Exception):
    """The plugin named on the command line has no migrations to run."""


def _reporting(action, done: str) -> int:
    """Run ``action``; a failure is one line on stderr, never a traceback."""
    import sys

    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from ..plugins.files import PortalConfigError

    try:
        action()
    except (PortalConfigError, CommandError, NoMigrations) as error:
        return _fail(str(error))
    except SQLAlchemyError as error:
        return _fail(f"the database refused: {type(error).__name__}: {str(error).splitlines()[0]}")
    print(f"portal: {done}", file=sys.stderr)
    return 0


def _fail(message: str) -> int:
    import sys

    print(f"portal: {message}", file=sys.stderr)
    return 1
