"""Helpers for the claim, new-link and owner-delete tests: assessments made and completed as a client does."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import Assessment, AuditEvent
from portal.testing import JSON

from .accounts import database, rows


def json_headers(app) -> dict[str, str]:
    """JSON, and the session's CSRF token once the browser has a session cookie."""
    if "portal_session" not in app.cookies:
        return dict(JSON)
    token = app.get("/assessments/").html.select_one("input[name=csrf_token]")["value"]
    return {**JSON, "X-CSRF-Token": token}


def new_assessment(app, title: str = "Shop") -> tuple[str, str]:
    """(overview URL, public id) of a new draft, made through the JSON API."""
    url = app.post_json("/assessments/", {"title": title}, headers=json_headers(app)).json["url"]
    return url, url.rstrip("/").rsplit("/", 1)[1]


def completed(app, title: str = "Shop", answers: dict[str, str] | None = None) -> tuple[str, str]:
    """(overview URL, public id) of a completed assessment: every required question's first
    option, and ``answers`` besides."""
    url, public_id = new_assessment(app, title)
    headers = json_headers(app)
    questions = app.get(url + "questionnaire", headers=JSON).json["questions"]
    required = {q["key"]: q["options"][0]["key"] for q in questions if q["required"] and q["options"]}
    app.post_json(url + "answers", {"answers": {**required, **(answers or {})}}, headers=headers)
    app.post_json(url + "complete", {}, headers=headers)
    return url, public_id


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def row(app, public_id: str) -> Assessment | None:
    found = rows(app, Assessment, Assessment.public_id == public_id)
    return found[0] if found else None


def events(app) -> list[tuple[str, str, int | None, dict]]:
    query = select(AuditEvent.link_digest, AuditEvent.action, AuditEvent.user_id, AuditEvent.detail)
    with database(app) as session:
        return [tuple(r) for r in session.execute(query.order_by(AuditEvent.id))]
