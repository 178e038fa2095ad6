"""A portal with one user of each role and two completed assessments, for the protection tests.

``client A`` owns one assessment; the other is anonymous (opened by its link alone).
Each browser is its own ``webtest.TestApp`` over the same WSGI app, so each keeps
its own cookies, as separate people's browsers do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import webtest
from sqlalchemy import create_engine, func, select, update

from portal.models import Assessment, Base
from portal.testing import JSON

from .accounts import add_user, sign_in
from .owner_helpers import completed

ROLES = {
    "client_a": ("ada@example.com", "client"),
    "client_b": ("bea@example.com", "client"),
    "consultant": ("cora@example.com", "consultant"),
    "admin": ("adam@example.com", "admin"),
}
# A well-formed link no assessment has, and what every link that opens nothing says.
MADE_UP_LINK = "madeUpLink0123456789abcdefGHIJKL"
NOT_FOUND = "No assessment opens at this link"


@dataclass
class World:
    app: webtest.TestApp
    users: dict[str, int] = field(default_factory=dict)
    # Public ids and row ids of the two assessments.
    owned: str = ""
    anonymous: str = ""
    owned_row: int = 0
    anonymous_row: int = 0

    @property
    def url(self) -> str:
        return self.app.app.registry.settings["sqlalchemy.url"]

    def browser(self, who: str | None = None) -> webtest.TestApp:
        """A new browser; signed in as ``who`` (a key of ROLES) unless None."""
        browser = webtest.TestApp(self.app.app)
        if who is not None:
            sign_in(browser, ROLES[who][0])
        return browser


def complete(app, title: str) -> str:
    """A completed assessment with two revisions, made through the API (no cookie); returns its public id."""
    link, public_id = completed(app, title, {"realtime.live": "core"})
    # A second revision, so the comparison has two to compare.
    app.post_json(link + "rescore", {}, headers=JSON, status=201)
    return public_id


def build_world(
    make_app,
    owned_title: str = "Ada's trading desk",
    anonymous_title: str = "Anonymous shop",
    display_names: dict[str, str] | None = None,
    **settings: str,
):
    app = make_app(migrate=True, **settings)
    world = World(app)
    for key, (email, role) in ROLES.items():
        names = {"display_name": display_names[key]} if display_names and key in display_names else {}
        world.users[key] = add_user(app, email, role=role, **names)
    creator = webtest.TestApp(app.app)
    world.owned = complete(creator, owned_title)
    world.anonymous = complete(creator, anonymous_title)
    engine = create_engine(world.url)
    try:
        with engine.begin() as connection:
            connection.execute(
                update(Assessment)
                .where(Assessment.public_id == world.owned)
                .values(owner_id=world.users["client_a"])
            )
            rows = dict(connection.execute(select(Assessment.public_id, Assessment.id)).all())
    finally:
        engine.dispose()
    world.owned_row, world.anonymous_row = rows[world.owned], rows[world.anonymous]
    return world


def row_counts(url: str) -> dict[str, int]:
    """The number of rows in every table of the schema."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: connection.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()
