"""Plugin-owned tables: ``config.add_migrations`` and the runner that keeps a plugin to them.

A plugin ships an alembic script folder (``versions/`` only: the core drives it,
so a plugin has no ``env.py``) and names the tables it owns. Its revisions are
recorded in a version table of its own, ``alembic_version_<plugin name>``, never
in the core's, and while they run a guard on the connection refuses every
statement on another table, as CKAN's and Kotti's plugin migrations keep to their
own tables. The guard catches mistakes, not malice: a plugin runs Python in the
portal's process and could open a connection of its own.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pyramid.path import AssetResolver
from sqlalchemy import MetaData, Table, event
from sqlalchemy.engine import Connection
from sqlalchemy.sql import TableClause, TextClause
from sqlalchemy.sql.ddl import DDL, ExecutableDDLElement
from sqlalchemy.sql.dml import UpdateBase

from .files import PluginError, Problem, display_path

CORE_VERSION_TABLE = "alembic_version"
TABLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
# SQLite's batch mode copies a table into this one and renames it back.
BATCH_COPY = "_alembic_tmp_"
FIELD = "migrations"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PluginMigrations:
    """One enabled plugin's migrations: where they are and the tables they may touch."""

    name: str  # the plugin's entry point name
    distribution: str
    location: str  # the alembic script folder
    tables: frozenset[str]

    @property
    def version_table(self) -> str:
        return f"{CORE_VERSION_TABLE}_{self.name}"

    @property
    def writable(self) -> frozenset[str]:
        return self.tables | {BATCH_COPY + t for t in self.tables} | {self.version_table}

    def script(self):
        from alembic.script import ScriptDirectory

        return ScriptDirectory(self.location)

    def heads(self) -> frozenset[str]:
        return frozenset(self.script().get_heads())

    def applied(self, connection: Connection) -> frozenset[str]:
        from alembic.migration import MigrationContext

        context = MigrationContext.configure(connection, opts={"version_table": self.version_table})
        return frozenset(context.get_current_heads())


def add_migrations(config, spec: str, tables: Iterable[str]) -> None:
    """Register the alembic script folder at asset ``spec`` and the tables its revisions own."""
    folder = AssetResolver(config.package_name).resolve(spec).abspath()
    source = getattr(config.registry, "portal_sources", {}).get(config.package_name)
    distribution = source.distribution if source else f"(package {config.package_name})"
    tables = (tables,) if isinstance(tables, str) else tuple(tables)

    def refuse(message: str, field: str = FIELD) -> None:
        problem = Problem(distribution, display_path(folder), field, message)
        collected = getattr(config.registry, "portal_problems", None)  # portal check collects
        if collected is None:
            raise PluginError(problem)
        collected.append(problem)

    if source is None or source.entry_point is None:
        return refuse("declare migrations in the includeme of a plugin loaded through its entry point")
    if not (Path(folder) / "versions").is_dir():
        return refuse(f"{spec!r} is not an alembic script folder: it has no versions/ folder")
    problem = next(_table_problems(tables), None)
    if problem:
        return refuse(problem, f"{FIELD}.tables")
    migrations = PluginMigrations(source.entry_point, distribution, folder, frozenset(tables))
    try:
        migrations.heads()
    except Exception as error:  # alembic's errors for unreadable revision files vary
        return refuse(f"its revisions cannot be read: {type(error).__name__}: {error}")

    intr = config.introspectable("portal migrations", migrations.name, migrations.name, "portal migrations")
    intr.update(distribution=distribution, folder=folder, tables=sorted(tables))

    def register() -> None:
        registry = config.registry
        registry.portal_migrations = {**registered(registry), migrations.name: migrations}

    config.action(("portal.migrations", migrations.name), register, introspectables=(intr,))
    for table in tables:
        # Two plugins claiming one table stop start-up with Pyramid's conflict error.
        config.action(("portal.table", table))


def _table_problems(tables: tuple[str, ...]) -> Iterator[str]:
    if not tables:
        yield "name the tables these migrations create (tables=[...]); they may touch only those"
    core = core_tables()
    for table in tables:
        if not isinstance(table, str) or not TABLE_NAME.fullmatch(table):
            yield f"{table!r} is not a table name ([a-z][a-z0-9_]*, at most 63 characters)"
        elif table in core:
            yield f"{table!r} is one of the core's tables; a plugin owns only tables of its own"
        elif table.startswith(CORE_VERSION_TABLE):
            yield f"{table!r} is reserved for version tables, which the core names"


def core_tables() -> frozenset[str]:
    from ..models import Base

    return frozenset(Base.metadata.tables) | {CORE_VERSION_TABLE}


def registered(registry) -> dict[str, PluginMigrations]:
    """The migrations of the plugins included in this registry, by plugin name."""
    return getattr(registry, "portal_migrations", {})


def enabled_migrations(settings: dict, origin: str | None = None) -> list[PluginMigrations]:
    """The migrations of every plugin the settings enable, loaded as start-up loads them."""
    from pyramid.config import Configurator

    from . import include_enabled

    config = Configurator(settings=dict(settings))
    config.include("portal.plugins")
    include_enabled(config, display_path(origin or "settings"))
    config.commit()
    return [m for _, m in sorted(registered(config.registry).items())]


# --- Running them ------------------------------------------------------------------------------


class MigrationRefused(PluginError):
    """A plugin's migration named a table it does not own; its transaction is rolled back."""


def upgrade(connection: Connection, migrations: PluginMigrations, others: Iterable[PluginMigrations] = ()):
    """Bring one plugin's tables to its head, in one transaction of their own."""
    _run(connection, migrations, others, "heads", lambda script, rev, dest: script._upgrade_revs(dest, rev))


def downgrade(
    connection: Connection,
    migrations: PluginMigrations,
    revision: str,
    others: Iterable[PluginMigrations] = (),
):
    """Take one plugin's tables back to ``revision`` (``base`` removes them)."""
    _run(
        connection, migrations, others, revision, lambda script, rev, dest: script._downgrade_revs(dest, rev)
    )


def _run(connection, migrations, others, destination, steps) -> None:
    # What alembic's own commands do, minus env.py (the core, not the plugin, says
    # how its revisions run) and minus EnvironmentContext, whose module-level proxy
    # cannot nest inside the core's env.py: a MigrationContext whose ``fn`` lists the
    # steps (ScriptDirectory._upgrade_revs / _downgrade_revs, as alembic.command does).
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    script = migrations.script()
    protected = core_tables() | {t for o in others if o.name != migrations.name for t in o.writable}
    log.info("plugin %s: migrating its tables to %s", migrations.name, destination)
    context = MigrationContext.configure(
        connection,
        opts={
            "version_table": migrations.version_table,
            "transactional_ddl": True,
            "script": script,
            "fn": lambda rev, _context: steps(script, rev, destination),
        },
    )
    # Our own transaction: a refused statement rolls back every step of this run.
    with connection.begin(), _guard(connection, migrations, protected), Operations.context(context):
        context.run_migrations()
        if destination == "base":  # nothing of the plugin is left, its version table neither
            Table(migrations.version_table, MetaData()).drop(connection, checkfirst=True)


@contextmanager
def _guard(connection: Connection, migrations: PluginMigrations, protected: frozenset[str]):
    words = re.compile(
        r"(?<![\w$])(" + "|".join(map(re.escape, sorted(protected, key=len, reverse=True))) + r")(?![\w$])",
        re.IGNORECASE,
    )

    def check(_connection, statement, *_arguments) -> None:
        tables, text = _named(statement)
        outside = sorted(t for t in tables if t not in migrations.writable)
        if outside:
            table = outside[0]
            whose = (
                "one of the core's tables"
                if table in core_tables()
                else "another plugin's table"
                if table in protected
                else "a table it did not declare"
            )
            refuse(f"a statement on {table!r} ({whose}) was refused")
        found = words.search(text) if text else None
        if found:
            refuse(f"SQL naming {found.group(1)!r}, a table it does not own, was refused")

    def refuse(message: str) -> None:
        own = ", ".join(sorted(migrations.tables))
        message += f"; a plugin's migrations touch only its own tables ({own})"
        raise MigrationRefused(
            Problem(migrations.distribution, display_path(migrations.location), FIELD, message)
        )

    event.listen(connection, "before_execute", check)
    try:
        yield
    finally:
        event.remove(connection, "before_execute", check)


def _named(statement) -> tuple[set[str], str]:
    """The tables a statement writes or alters, or the text of raw SQL (which cannot be parsed)."""
    if isinstance(statement, str):
        return set(), statement
    if isinstance(statement, TextClause):
        return set(), statement.text
    if isinstance(statement, DDL):
        return set(), statement.statement
    if isinstance(statement, UpdateBase):  # INSERT, UPDATE, DELETE
        return {statement.table.name}, ""
    names: set[str] = set()
    for attribute in ("table_name", "new_table_name"):  # alembic's ALTER TABLE constructs
        if isinstance(getattr(statement, attribute, None), str):
            names.add(getattr(statement, attribute))
    if isinstance(statement, ExecutableDDLElement) and not names:
        element = getattr(statement, "element", None)
        table = element if isinstance(element, TableClause) else getattr(element, "table", None)
        if isinstance(table, TableClause):
            names.add(table.name)
        elif isinstance(getattr(element, "name", None), str):
            return set(), element.name  # a type or a sequence: held to the names it must not use
    return names, ""  # a SELECT reads; reading is allowed
