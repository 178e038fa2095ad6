"""Alembic reads the app's own ini file, so one file serves the app and its migrations.

``upgrade head`` (or ``heads``) runs the core's migrations, then every enabled
plugin's (``portal.plugins.migrations``), each plugin in a transaction of its own
and with a version table of its own; every other command touches only the core's.
"""

from alembic import context
from pyramid.paster import get_appsettings, setup_logging

from portal.models import Base, get_engine
from portal.plugins.files import PortalConfigError
from portal.plugins.migrations import enabled_migrations, upgrade
from portal.settings import maybe_set

config = context.config
# Callers running alembic in-process (the tests) keep their own logging set-up.
if config.attributes.get("configure_logger", True):
    setup_logging(config.config_file_name)
# In-process callers (portal.testing) may hand in the settings themselves.
settings = dict(config.attributes.get("settings") or get_appsettings(config.config_file_name))
maybe_set(settings, "sqlalchemy.url", "DATABASE_URL")
# A URL handed in by an in-process caller (the tests) wins over the ini.
if config.attributes.get("database_url"):
    settings["sqlalchemy.url"] = config.attributes["database_url"]
if not settings.get("sqlalchemy.url"):
    raise SystemExit("alembic: no database URL; set sqlalchemy.url in the ini or DATABASE_URL")
target_metadata = Base.metadata


def core_tables_only(name, type_, _parents) -> bool:
    """Autogenerate compares the core's tables only: plugins' tables are theirs."""
    return type_ != "table" or name in target_metadata.tables


def upgrading_to_head() -> bool:
    # alembic tells env.py the destination but not the command; the command's own
    # step function is named after it (``upgrade``, ``downgrade``, ``do_stamp``, …).
    options = context.get_context().opts
    return getattr(options.get("fn"), "__name__", "") == "upgrade" and options.get("destination_rev") in (
        "head",
        "heads",
    )


def run_migrations_offline() -> None:
    # Plugins' migrations run online only: their guard watches a live connection.
    context.configure(url=settings["sqlalchemy.url"], target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = get_engine(settings)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                include_name=core_tables_only,
                # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
                render_as_batch=connection.dialect.name == "sqlite",
                # Our SQLite engine emits BEGIN itself, so its DDL is transactional too.
                transactional_ddl=True,
            )
            try:
                # Loaded before anything changes: a plugin that cannot load stops the run here.
                plugins = enabled_migrations(settings, config.config_file_name) if upgrading_to_head() else []
                with context.begin_transaction():
                    context.run_migrations()
                for plugin in plugins:
                    upgrade(connection, plugin, plugins)
            except PortalConfigError as error:  # a plugin that cannot load, or a refused statement
                raise SystemExit(f"alembic: {error}") from None
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
