"""``portal purge-drafts --older-than DAYS`` removes stale anonymous drafts, and only those."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from portal.models import Assessment, AuditEvent, Revision
from portal.models.assessment import utcnow
from portal.security import link_digest
from portal.testing import JSON

from .accounts import add_user
from .conftest import ROOT, alembic_upgrade


def test_purge_drafts_removes_only_stale_drafts(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'purge.sqlite'}"
    alembic_upgrade(url)
    app = make_app(sqlalchemy__url=url)
    ids = {}
    for title in ("stale", "fresh", "stale but complete", "stale but saved to an account"):
        ids[title] = app.post_json("/assessments/", {"title": title}, headers=JSON).json["id"]
    owner = add_user(app, "ann@example.com")
    done = f"/assessments/{ids['stale but complete']}/"
    questions = app.get(done + "questionnaire", headers=JSON).json["questions"]
    answers = {q["key"]: q["options"][0]["key"] for q in questions if q["required"] and q["options"]}
    app.post_json(done + "answers", {"answers": answers}, headers=JSON)
    app.post_json(done + "complete", {}, headers=JSON)
    # Changes opened on it ("Edit answers") are a draft of its next revision, not a draft to purge.
    app.post_json(done + "edit", {}, headers=JSON)
    # And a draft row that somehow holds a revision is never purged with it.
    ids["odd"] = app.post_json("/assessments/", {"title": "odd"}, headers=JSON).json["id"]
    odd = f"/assessments/{ids['odd']}/"
    app.post_json(odd + "answers", {"answers": answers}, headers=JSON)
    app.post_json(odd + "complete", {}, headers=JSON)

    engine = create_engine(url)
    with engine.begin() as connection:
        old = utcnow() - timedelta(days=40)
        connection.execute(
            update(Assessment)
            .where(Assessment.public_id.in_([ids[t] for t in ids if t != "fresh"]))
            .values(updated=old)
        )
        # A draft in a client's account is theirs to keep (the account page lists it).
        connection.execute(
            update(Assessment)
            .where(Assessment.public_id == ids["stale but saved to an account"])
            .values(owner_id=owner)
        )
        connection.execute(
            update(Assessment).where(Assessment.public_id == ids["odd"]).values(status="draft")
        )
    ini = tmp_path / "purge.ini"
    ini.write_text((ROOT / "development.ini").read_text().replace("sqlite:///%(here)s/portal.sqlite", url))
    portal = str(Path(sys.executable).parent / "portal")
    result = subprocess.run(
        [portal, "purge-drafts", str(ini), "--older-than", "30"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "deleted 1 draft(s) untouched for 30 day(s) or more"
    with Session(engine) as session:
        left = set(session.scalars(select(Assessment.title)))
        purged = session.scalars(select(AuditEvent).where(AuditEvent.action == "purged")).all()
        kept_revisions = session.scalar(select(func.count(Revision.id)))
    assert left == {"fresh", "stale but complete", "odd", "stale but saved to an account"}
    assert kept_revisions == 2
    assert [event.link_digest for event in purged] == [link_digest(ids["stale"])]
    engine.dispose()

    bad = subprocess.run(
        [portal, "purge-drafts", str(ini), "--older-than", "-3"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "is not a whole number of days" in bad.stderr
