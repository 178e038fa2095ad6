"""One-row reads on a DBAPI connection each thread keeps, for the statement every link's request runs.

Each request to an assessment's link reads that assessment's owner before anything else
(``portal.resources.AssessmentResource.access``), a cached page included. Through
SQLAlchemy's ``Connection`` that small indexed read cost about seven times what the
statement itself takes (the connection object, its BEGIN, the execution context, the
result); the pool's checkout and check-in alone cost ~15 µs of a ~90 µs cached page
(docs/performance.md, "Accounts"). Here the statement is compiled once per engine and run
directly on a DBAPI connection that each thread takes from the engine's pool once (with the
pool's connect events and its pre-ping) and then keeps, detached from the pool, so that it
takes no pool slot a request's session needs. Each read ends its own transaction.

A thread's connection is closed when the thread ends (or the portal's reads go).
A kept connection that the server dropped since its last read (a restart, an idle timeout)
is closed and the read is made once more on a fresh one, which the pool checks as it hands
it out. Driver errors are wrapped as SQLAlchemy's, so a stopped database answers the same
friendly 503 as everywhere else.

Only for a ``SELECT`` of plain columns (no type processing: ints and strings as the
driver returns them), outside any request transaction.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select

log = logging.getLogger(__name__)


class RowReads:
    """``reads.first(statement, **parameters)``: the first row as a tuple, or ``None``.

    ``statement`` is one long-lived object (built once, as ``portal.resources`` does): each
    is compiled on its first use and kept.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._compiled: dict[Select, tuple[str, Any]] = {}
        self._driver_error = engine.dialect.loaded_dbapi.Error
        self._local = threading.local()
        self._generation = 0
        # A forked child must not close (nor let the collector close) its parent's connections.
        self._inherited: list = []

    def first(self, statement: Select, **parameters: Any) -> tuple | None:
        sql, bind = self._compile(statement)
        bound = bind(parameters)
        retry = True
        while True:
            connection = self._kept_connection()
            try:
                return _read(connection, sql, bound)
            except self._driver_error as error:
                gone = self.engine.dialect.is_disconnect(error, connection, None)
                self._local.kept = None  # closes it
                if not (retry and gone):
                    raise self._wrapped(error, sql) from error
                log.info("a kept read connection was gone (%s); reading on a fresh one", error)
                retry = False

    def close(self) -> None:
        """Every thread closes its kept connection at its next read and takes a fresh one."""
        self._generation += 1

    def _kept_connection(self):
        kept = getattr(self._local, "kept", None)
        if kept is not None:
            if kept.generation == self._generation and kept.pid == os.getpid():
                return kept.connection
            if kept.pid != os.getpid():
                self._inherited.append(kept.connection)
            self._local.kept = None  # closes it (_Kept.__del__)
        try:
            pooled = self.engine.raw_connection()
        except self._driver_error as error:
            raise self._wrapped(error, "connect") from error
        pooled.detach()
        self._local.kept = _Kept(self._generation, pooled.dbapi_connection)
        return pooled.dbapi_connection

    def _compile(self, statement: Select) -> tuple[str, Callable[[dict], Any]]:
        """The statement's SQL and how to bind a call's parameters, worked out once.

        SQLAlchemy's ``construct_params`` per call cost as much as running the statement;
        the statement's own literals (its defaults) and the parameter order never change.
        """
        found = self._compiled.get(statement)
        if found is None:
            compiled = statement.compile(dialect=self.engine.dialect)
            defaults = compiled.construct_params(_check=False)
            if compiled.positional:
                names = tuple(compiled.positiontup)

                def bind(parameters: dict) -> tuple:
                    return tuple(parameters[name] if name in parameters else defaults[name] for name in names)
            else:

                def bind(parameters: dict) -> dict:
                    return {**defaults, **parameters}

            found = self._compiled[statement] = (compiled.string, bind)
        return found

    def _wrapped(self, error: Exception, sql: str) -> DBAPIError:
        # As SQLAlchemy's Connection wraps it: OperationalError stays OperationalError.
        return DBAPIError.instance(
            sql,
            None,
            error,
            self._driver_error,
            hide_parameters=True,
            dialect=self.engine.dialect,
        )


def _read(connection, sql: str, parameters) -> tuple | None:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, parameters)
        row = cursor.fetchone()
    finally:
        cursor.close()
    # The driver may have begun a transaction (psycopg does): end it, so the kept connection
    # waits idle, holding no snapshot and no lock.
    connection.rollback()
    return None if row is None else tuple(row)


class _Kept:
    """A thread's connection: closed when dropped, and when its thread ends."""

    __slots__ = ("connection", "generation", "pid")

    def __init__(self, generation: int, connection):
        self.generation, self.pid, self.connection = generation, os.getpid(), connection

    def __del__(self):
        if self.pid == os.getpid():
            _close(self.connection)


def _close(connection) -> None:
    try:
        connection.close()
    except Exception as error:  # a connection the server dropped may fail to close: gone anyway
        log.debug("closing a kept read connection failed: %s", error)
