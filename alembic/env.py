"""Alembic reads the app's own ini file, so one file serves the app and its migrations."""

from pyramid.paster import get_appsettings, setup_logging

from alembic import context
from portal.models import Base, get_engine
from portal.settings import maybe_set

config = context.config
setup_logging(config.config_file_name)
settings = dict(get_appsettings(config.config_file_name))
maybe_set(settings, "sqlalchemy.url", "DATABASE_URL")
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=settings["sqlalchemy.url"], target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # A connection handed in by the caller (the tests) is used as it is.
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = get_engine(settings)
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:
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


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
