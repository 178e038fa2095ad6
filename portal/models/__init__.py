"""Database wiring: one engine, a session per request joined to ``request.tm``.

``pyramid_tm`` owns the transaction (commit on success, abort on error or on an
error response) and ``pyramid_retry`` replays a request that hit a transient
conflict such as a serialization failure.
"""

from __future__ import annotations

import zope.sqlalchemy
from sqlalchemy import engine_from_config, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .assessment import Answer, Assessment, AuditEvent, Decision, Note, Revision, ThrottleCount
from .meta import Base
from .row_reads import RowReads
from .user import ApiToken, AuthSession, User

__all__ = [
    "Answer",
    "ApiToken",
    "Assessment",
    "AuditEvent",
    "AuthSession",
    "Base",
    "Decision",
    "Note",
    "Revision",
    "ThrottleCount",
    "User",
    "get_engine",
    "get_session_factory",
    "get_tm_session",
    "mark_written",
]

# The environ key through which tests hand in a session bound to their own
# outer transaction (as the Pyramid starter does).
SESSION_ENVIRON_KEY = "portal.dbsession"
# An execution option marking a session of a request that does not write.
READS_ONLY = "portal_reads_only"
READ_METHODS = frozenset({"GET", "HEAD"})
# Where a session keeps its zope.sqlalchemy registration (see mark_written).
TM_EVENTS = "portal.tm_events"


def get_engine(settings, prefix: str = "sqlalchemy.") -> Engine:
    # Statement parameters (private links among them) stay out of error messages and logs.
    # A pooled PostgreSQL connection is checked before use, so that after the server
    # restarts the portal recovers by itself instead of failing on stale connections.
    pre_ping = settings.get(prefix + "url", "").startswith("postgresql")
    engine = engine_from_config(settings, prefix, hide_parameters=True, pool_pre_ping=pre_ping)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    # The stdlib driver's own transaction handling defeats SAVEPOINTs and
    # transactional DDL; let SQLAlchemy emit BEGIN itself (SQLAlchemy's pysqlite
    # docs). A request that may write begins IMMEDIATE, taking the write lock
    # up front, so two writers queue on busy_timeout instead of one failing
    # with "database is locked" when it upgrades a read lock. Reads (GET, HEAD)
    # begin DEFERRED and, in WAL mode, never wait for a writer.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        reads_only = connection.get_execution_options().get(READS_ONLY, False)
        connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")


def get_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine)


def get_tm_session(session_factory, transaction_manager, request=None) -> Session:
    dbsession = session_factory(info={"request": request})
    dbsession.info[TM_EVENTS] = zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


def mark_written(dbsession: Session) -> None:
    """Tell the session's transaction that Core statements wrote.

    zope.sqlalchemy notices ORM writes only; without this, a transaction whose
    writes were all Core statements ends in a rollback. The session's own
    registration knows its transaction manager (a session without one fails
    here rather than joining another transaction).
    """
    dbsession.info[TM_EVENTS].mark_changed(dbsession)


def request_dbsession(request) -> Session:
    """``request.dbsession`` (``portal.request``): a test's own session, or a new one in ``request.tm``."""
    session = request.environ.get(SESSION_ENVIRON_KEY)
    if session is None:
        reads = request.method in READ_METHODS
        factory = request.registry["dbsession_read_factory" if reads else "dbsession_factory"]
        session = get_tm_session(factory, request.tm, request=request)
    return session


def retry_attempts(request) -> int | None:
    """``pyramid_retry``'s hook: a read (GET, HEAD) runs once, a write up to ``retry.attempts``.

    Reads take no write lock and cannot hit a write conflict, and one attempt
    spares them the copy of the body that replaying a request needs.
    """
    return 1 if request.method in READ_METHODS else None


def includeme(config) -> None:
    settings = config.get_settings()
    # The request's transaction manager is explicit: no thread-local magic.
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    # An error response (4xx/5xx) commits nothing, even when the view returned
    # it instead of raising.
    settings.setdefault("tm.commit_veto", "pyramid_tm.default_commit_veto")
    # As Warehouse: no user annotation on the transaction. Only ZODB keeps it, and asking
    # for it made every request, an anonymous one included, look up who is signed in.
    settings["tm.annotate_user"] = False
    config.include("pyramid_tm")
    settings.setdefault("retry.activate_hook", "portal.models.retry_attempts")
    config.include("pyramid_retry")

    engine = get_engine(settings)
    session_factory = get_session_factory(engine)
    # Same pool and events; only the SQLite BEGIN differs (no GET writes: tested).
    read_session_factory = get_session_factory(engine.execution_options(**{READS_ONLY: True}))
    config.registry["dbsession_factory"] = session_factory
    config.registry["dbsession_read_factory"] = read_session_factory
    config.registry["dbengine"] = engine
    # One-row reads outside a request's transaction (the access check of portal.resources).
    config.registry["dbreads"] = RowReads(engine)
    # request.dbsession is request_dbsession, on the request class (portal.request).
