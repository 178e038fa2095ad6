"""Private links never reach logs or the audit trail in full."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import create_engine, select

from portal.models import AuditEvent
from portal.security import link_digest, mask_links, masked_link
from portal.testing import JSON

from .conftest import alembic_upgrade

LINK = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"


def test_mask_links_keeps_six_characters_wherever_a_link_appears():
    assert mask_links(f"GET /assessments/{LINK}/revisions/1 HTTP/1.1") == (
        "GET /assessments/AbCdEf…/revisions/1 HTTP/1.1"
    )
    assert (
        mask_links(f"https://portal.example/assessments/{LINK}/")
        == "https://portal.example/assessments/AbCdEf…/"
    )
    assert mask_links("/assessments/") == "/assessments/" and masked_link(LINK) == "AbCdEf…"
    assert len(link_digest(LINK)) == 32 and LINK not in link_digest(LINK)


def test_gunicorns_access_log_masks_every_atom():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from portal.serving import AccessLog

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/assessments/{LINK[:4]}%45{LINK[5:]}/?page=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": f"/assessments/{LINK}/",
        "QUERY_STRING": "page=1",
        "HTTP_REFERER": f"https://portal.example/assessments/{LINK}/questionnaire",
    }
    response = SimpleNamespace(
        status="303 See Other", headers=[("Location", f"/assessments/{LINK}/")], sent=0
    )
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = AccessLog(Config()).atoms(response, request, environ, timedelta(milliseconds=3))
    line = " ".join(str(value) for value in atoms.values())
    assert LINK[6:20] not in line and "/assessments/AbCdEf…/" in atoms["r"]
    assert atoms["f"] == "https://portal.example/assessments/AbCdEf…/questionnaire"


def test_the_audit_trail_and_the_error_log_hold_no_link(make_app, use_plugins, tmp_path, caplog):
    use_plugins("good")
    url = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    alembic_upgrade(url)
    app = make_app(sqlalchemy__url=url)
    link = app.post_json("/assessments/", {"title": "Audited"}, headers=JSON).json["url"]
    questions = app.get(link + "questionnaire", headers=JSON).json["questions"]
    required = {q["key"]: q["options"][0]["key"] for q in questions if q["required"] and q["options"]}
    app.post_json(link + "answers", {"answers": required}, headers=JSON)
    app.post_json(link + "complete", {}, headers=JSON)
    app.post_json(link + "edit", {}, headers=JSON)
    app.post_json(link + "discard", {}, headers=JSON)
    draft = app.post_json("/assessments/", {"title": "Dropped"}, headers=JSON).json["url"]
    app.delete(draft, headers=JSON, status=204)
    public_ids = [link.rstrip("/").rsplit("/", 1)[1], draft.rstrip("/").rsplit("/", 1)[1]]
    engine = create_engine(url)
    with engine.connect() as connection:
        events = connection.execute(
            select(AuditEvent.link_digest, AuditEvent.action, AuditEvent.detail)
        ).all()
    engine.dispose()
    assert len(events) >= 6
    assert not [event for event in events if any(p in str(event) for p in public_ids)]
    assert {event.link_digest for event in events} == {link_digest(p) for p in public_ids}

    # A 500 under a link: the logged line masks it.
    with caplog.at_level(logging.ERROR, logger="portal"):
        app.get(link + "explode", status=500)
    assert f"unhandled error on GET /assessments/{public_ids[0][:6]}…/explode" in caplog.text
    assert public_ids[0] not in caplog.text
