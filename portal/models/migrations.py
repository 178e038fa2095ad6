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
    return CHECKOUT_MIGRATIONS if CHECKOUT_MIGRATIONS.is_dir() else None


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
