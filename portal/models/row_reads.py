"""One-row reads on a pooled DBAPI connection, for the one statement every link's request runs.

Each request to an assessment's link reads that assessment's owner before anything else
(``portal.resources.AssessmentResource.access``), a cached page included. Through
SQLAlchemy's ``Connection`` that small indexed read cost about seven times what the
statement itself takes (the connection object, its BEGIN, the execution context, the
result): measured in docs/performance.md ("Accounts"). Here the statement is compiled
once per engine and run on the pool's DBAPI connection directly. The pool still does what
matters: pre-ping, reset on return, overflow and its timeout; driver errors are wrapped
as SQLAlchemy's, so a stopped database answers the same friendly 503 as everywhere else.

Only for a ``SELECT`` of plain columns (no type processing: ints and strings as the
driver returns them), outside any request transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select


class RowReads:
    """``reads.first(statement, **parameters)``: the first row as a tuple, or ``None``.

    ``statement`` is one long-lived object (built once, as ``portal.resources`` does): each
    is compiled on its first use and kept.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._compiled: dict[Select, tuple[str, Any]] = {}

    def first(self, statement: Select, **parameters: Any) -> tuple | None:
        sql, bind = self._compile(statement)
        bound = bind(parameters)
        dialect = self.engine.dialect
        driver_error = dialect.loaded_dbapi.Error
        try:
            connection = self.engine.raw_connection()
        except driver_error as error:
            raise self._wrapped(error, sql) from error
        cursor = None
        try:
            cursor = connection.cursor()
            cursor.execute(sql, bound)
            row = cursor.fetchone()
            cursor.close()
            # End the transaction the driver began here, not in the pool's reset on return:
            # a database that goes away just after the read is then this read's error (a
            # friendly 503), not a traceback the pool logs. The reset finds nothing to do.
            connection.rollback()
            return None if row is None else tuple(row)
        except driver_error as error:
            if dialect.is_disconnect(error, connection.dbapi_connection, cursor):
                connection.invalidate(error)
            raise self._wrapped(error, sql) from error
        finally:
            connection.close()  # back to the pool

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
            self.engine.dialect.loaded_dbapi.Error,
            hide_parameters=True,
            dialect=self.engine.dialect,
        )
