"""Alembic reads the app's own ini file, so one file serves the app and its migrations."""

from alembic import context
from pyramid.paster import get_appsettings, setup_logging

from portal.models import Base, get_engine
from portal.settings import maybe_set

config = context.config
# Callers running alembic in-process (the tests) keep their own logging set-up.
if config.attributes.get("configure_logger", True):
    setup_logging(config.config_file_name)
settings = dict(get_appsettings(config.config_file_name))
maybe_set(settings, "sqlalchemy.url", "DATABASE_URL")
# A URL handed in by an in-process caller (the tests) wins over the ini.
if config.attributes.get("database_url"):
    settings["sqlalchemy.url"] = config.attributes["database_url"]
if not settings.get("sqlalchemy.url"):
    raise SystemExit("alembic: no database URL; set sqlalchemy.url in the ini or DATABASE_URL")
target_metadata = Base.metadata


def run_migrations_offline() -> None:
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
                # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
                render_as_batch=connection.dialect.name == "sqlite",
                # Our SQLite engine emits BEGIN itself, so its DDL is transactional too.
                transactional_ddl=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
