"""Test fixture: a framework plugin that owns a table, numbat_notes, through its own migrations."""

from pyramid.view import view_config
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def includeme(config):
    config.add_framework("portal_fixture_numbat:profile.toml")
    config.add_migrations("portal_fixture_numbat:migrations", tables=["numbat_notes"])
    config.scan()


class Base(DeclarativeBase):
    """The plugin's own metadata: never the core's, so the core's schema stays its own."""


class Note(Base):
    __tablename__ = "numbat_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
    author: Mapped[str | None] = mapped_column(String(80))


@view_config(context="portal.resources.Root", name="numbat-notes", request_method="GET", renderer="json")
def notes(context, request):
    rows = request.dbsession.scalars(select(Note).order_by(Note.id))
    return {"notes": [{"text": n.text, "author": n.author} for n in rows]}


@view_config(
    context="portal.resources.Root",
    name="numbat-notes",
    request_method="POST",
    renderer="json",
    require_csrf=False,
)
def add_note(context, request):
    request.dbsession.add(Note(text=request.json_body["text"], author=request.json_body.get("author")))
    return {"added": True}
