""" "Edit answers" drafts the next revision of the same assessment, at the same private link.

Completing the draft adds revision n + 1; "Discard changes" drops only the draft; nothing
that deletes drafts (the delete action, ``purge-drafts``: see test_purge.py) can reach a
completed revision; and compare shows what the edit changed.
"""

from __future__ import annotations

import re

import pytest

from portal.testing import JSON

from .conftest import alembic_upgrade
from .test_revisions import complete_assessment


@pytest.fixture
def app(make_app, database_url):
    alembic_upgrade(database_url)
    return make_app(sqlalchemy__url=database_url)


def state(app, url):
    return app.get(url, headers=JSON).json


def test_edit_opens_a_draft_of_the_next_revision_at_the_same_link(app):
    url, completed = complete_assessment(app)
    first = app.get(completed.headers["Location"], headers=JSON).json
    assert first["ranking"][0]["framework"] == "tornado"
    before = state(app, url)
    assert (before["draft_revision"], before["editing_from"]) == (None, None)
    first_answers = before["answers"]

    opened = app.post_json(url + "edit", {}, headers=JSON)
    assert opened.headers["Location"] == url
    draft = opened.json
    assert draft["url"] == url and draft["id"] == before["id"]
    # Still complete (its result stays reachable); the draft will become revision 2.
    assert (draft["status"], draft["draft_revision"], draft["editing_from"]) == ("complete", 2, 1)
    assert draft["answers"] == before["answers"] and [r["n"] for r in draft["revisions"]] == [1]
    assert app.get(url + "result", headers=JSON).json == first

    # The client changes the answer that decided the result, then completes: revision 2.
    changes = {"realtime.live": "no", "realtime.connections": None, "admin_ui.need": "required"}
    app.post_json(url + "answers", {"answers": changes}, headers=JSON)
    second = app.post_json(url + "complete", {}, headers=JSON)
    assert second.json["revision"] == 2 and second.headers["Location"] == url + "revisions/2"
    after = state(app, url)
    assert (after["status"], after["draft_revision"], after["editing_from"]) == ("complete", None, None)
    assert [(r["n"], r["edited_from"]) for r in after["revisions"]] == [(1, None), (2, 1)]
    assert app.get(url + "revisions/1", headers=JSON).json == first

    # Compare: the changed answers by question text, the ranking before and after.
    compared = app.get(url + "revisions/2/compare?with=1", headers=JSON).json
    changed = {c["question"]: (c["from"], c["to"]) for c in compared["answers_changed"]}
    assert changed == {
        "realtime.live": ("core", "no"),
        "realtime.connections": ("thousands", None),
        "admin_ui.need": (first_answers["admin_ui.need"], "required"),
    }
    ranks = {f["framework"]: f["rank"] for f in compared["frameworks"]}
    assert ranks["tornado"][0] == 1 and ranks["tornado"][1] != 1
    page = app.get(url + "revisions/2/compare?with=1")
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        for row in page.html.select("section[aria-labelledby=answers-title] tbody tr")
    ]
    realtime = next(row for row in rows if row[0].startswith("Does the product need to show changes"))
    assert realtime[1].startswith("Yes, live connections are the heart of the product")
    assert realtime[2] == "No, ordinary pages that update when the user clicks are fine"
    assert "realtime.live" not in page.text
    assert "First place moves from Tornado to" in page.text
    moved = [
        li.get_text(" ", strip=True) for li in page.html.select("section[aria-labelledby=moved-title] li")
    ]
    assert any(line.startswith("Real-time") and "Tornado -" in line for line in moved), moved
    assert any(line.startswith("Admin screens") and "Django +" in line for line in moved), moved


def test_a_second_edit_keeps_what_the_client_changed(app):
    url, _ = complete_assessment(app)
    app.post_json(url + "edit", {}, headers=JSON)
    app.post_json(url + "answers", {"answers": {"realtime.live": "no"}}, headers=JSON)
    again = app.post_json(url + "edit", {}, headers=JSON).json
    assert again["answers"]["realtime.live"] == "no" and again["draft_revision"] == 2


def test_discard_drops_only_the_draft(app):
    url, completed = complete_assessment(app)
    first = app.get(completed.headers["Location"], headers=JSON).json
    answers = state(app, url)["answers"]
    app.post_json(url + "edit", {}, headers=JSON)
    app.post_json(url + "answers", {"answers": {"realtime.live": "no"}}, headers=JSON)
    discarded = app.post_json(url + "discard", {}, headers=JSON).json
    assert discarded["answers"] == answers and discarded["editing_from"] is None
    assert [r["n"] for r in discarded["revisions"]] == [1]
    assert app.get(url + "revisions/1", headers=JSON).json == first
    # Nothing open: discarding again, saving or completing is refused and changes nothing.
    refused = app.post_json(url + "discard", {}, headers=JSON, status=409).json
    assert "nothing to discard" in refused["errors"]["_request"]
    app.post_json(url + "answers", {"answers": {"realtime.live": "no"}}, headers=JSON, status=409)
    app.post_json(url + "complete", {}, headers=JSON, status=409)
    assert state(app, url)["answers"] == answers


def test_deleting_never_removes_a_completed_assessment_with_changes_open(app):
    url, completed = complete_assessment(app)
    app.post_json(url + "edit", {}, headers=JSON)
    refused = app.delete(url, headers=JSON, status=409).json
    assert "Discard changes" in refused["errors"]["_request"]
    token = app.get(url + "delete").html.find("input", attrs={"name": "csrf_token"})
    assert token is None  # the confirmation page offers no delete for a completed assessment
    form = app.get(url).forms  # the overview's forms: none deletes
    assert not [f for f in form.values() if f.action.endswith("/delete")]
    assert app.get(completed.headers["Location"], headers=JSON).json["revision"] == 1
    assert state(app, url)["editing_from"] == 1


def test_edit_refuses_a_draft_that_was_never_completed(app):
    url = app.post_json("/assessments/", {"title": "New"}, headers=JSON).json["url"]
    refused = app.post_json(url + "edit", {}, headers=JSON, status=409).json
    assert "answer the questionnaire" in refused["errors"]["_request"]
    assert state(app, url)["draft_revision"] == 1


def test_edit_by_form_from_the_result_page(app):
    url, completed = complete_assessment(app)
    result = app.get(completed.headers["Location"])
    # The cached result page holds no form needing the session's token: it links to the edit page.
    assert 'name="csrf_token"' not in result.text
    edit_link = result.html.find("a", string=re.compile("Edit answers"))
    assert edit_link is not None and edit_link["href"] == url + "edit"
    page = app.get(url + "edit")
    form = page.forms[0]
    assert form.action == url + "edit" and "revision 2" in page.text
    opened = form.submit(status=303)
    assert opened.location == url + "review"
    review = opened.follow()
    assert review.html.select_one("dd.change a").get_text().startswith("Change")
    assert review.forms[0].action == url + "complete" and "See the updated recommendation" in review.text
    overview = app.get(url)
    assert "Changes in progress" in overview.text and "becomes\n      revision 2" in overview.text
    discard = next(f for f in overview.forms.values() if f.action.endswith("/discard"))
    assert discard.submit(status=303).location == url + "?discarded=1"
    assert state(app, url)["editing_from"] is None


def test_a_cached_result_page_holds_nothing_live(app):
    url, _ = complete_assessment(app)
    first_page = app.get(url + "revisions/1").text  # rendered and cached while it is the only one
    app.post_json(url + "rescore", {}, headers=JSON, status=201)
    # Revision 1's page is unchanged (it cannot know of revision 2); the overview lists both.
    assert app.get(url + "revisions/1").text == first_page
    assert "revisions/2" not in first_page
    overview = app.get(url)
    assert overview.html.find("a", href=url + "revisions/2") is not None
    assert overview.html.find("a", href=url + "revisions/2/compare?with=1") is not None


def test_the_overview_compares_any_two_revisions(app):
    url, _ = complete_assessment(app)
    for _ in range(2):
        app.post_json(url + "rescore", {}, headers=JSON, status=201)
    form = next(f for f in app.get(url).forms.values() if f.action == url + "compare")
    form["from"], form["to"] = "3", "1"
    assert form.submit(status=303).location == url + "revisions/3/compare?with=1"
    bad = app.get(url + "compare?from=1&to=9", status=400)
    assert "to: choose one of this assessment's revisions." in bad.html.find("main").text
    assert "choose two different revisions" in app.get(url + "compare?from=2&to=2", status=400).text


def test_the_delete_button_asks_for_confirmation_on_a_page(app):
    url = app.post_json("/assessments/", {"title": "Throwaway"}, headers=JSON).json["url"]
    overview = app.get(url)
    assert not [f for f in overview.forms.values() if f.action.endswith("/delete")]
    confirm = overview.click(description=re.compile("Delete the draft"))
    assert "cannot be undone" in confirm.text
    deleted = confirm.forms[0].submit(status=303)
    assert deleted.location.endswith("/assessments/?deleted=1")
    app.get(url, status=404)
