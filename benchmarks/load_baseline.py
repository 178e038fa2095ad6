"""Baseline apps for ``benchmarks/load.py``: what the portal's pages cost at the least.

Both are PasteDeploy app factories, served exactly as the portal is
(``gunicorn --paste <ini>``, the ini saying ``use = call:benchmarks.load_baseline:<factory>``):

- :func:`hello`: bare Pyramid, one view returning a plain-text Response.
- :func:`insert`: bare Pyramid with ``pyramid_tm`` + ``zope.sqlalchemy`` and the
  portal's own SQLite engine set-up (``portal.models.get_engine``: WAL, busy_timeout,
  BEGIN IMMEDIATE); one POST view that parses a JSON body and inserts one row.

The insert table is created by :func:`create_schema` before the server starts, so two
workers never race to create it.
"""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.response import Response
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from portal.models import get_engine, get_session_factory, get_tm_session


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "bench_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    payload: Mapped[str] = mapped_column(String(1000))


def create_schema(url: str) -> None:
    engine = get_engine({"sqlalchemy.url": url})
    try:
        Base.metadata.create_all(engine)
    finally:
        engine.dispose()


# --- hello ----------------------------------------------------------------------


def hello_view(request):
    return Response("Hello, world!", content_type="text/plain")


def hello(global_config, **settings):
    with Configurator(settings=settings) as config:
        config.add_route("hello", "/")
        config.add_view(hello_view, route_name="hello")
    return config.make_wsgi_app()


# --- one-row insert --------------------------------------------------------------


def insert_view(request):
    data = request.json_body  # the same body the portal's answer POST gets
    request.dbsession.add(Row(payload=request.text[:1000] if isinstance(data, dict) else ""))
    return Response(json_body={"ok": True})


def insert(global_config, **settings):
    settings = dict(settings)
    # As portal/models/__init__.py: explicit transaction manager, commit veto on errors.
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    settings.setdefault("tm.commit_veto", "pyramid_tm.default_commit_veto")
    with Configurator(settings=settings) as config:
        config.include("pyramid_tm")
        engine = get_engine(settings)
        session_factory = get_session_factory(engine)

        def dbsession(request) -> Session:
            return get_tm_session(session_factory, request.tm, request=request)

        config.add_request_method(dbsession, reify=True)
        config.add_route("insert", "/insert")
        config.add_view(insert_view, route_name="insert", request_method="POST")
    return config.make_wsgi_app()
