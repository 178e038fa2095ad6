"""Who may open what: every assessment, workspace and admin URL against every kind of visitor.

Columns: anonymous, client A (who owns the assessment ``{owned}``), client B,
a consultant, an administrator. ``{anonymous}`` is an assessment nobody owns,
opened by its private link. Under ``/assessments/<id>/`` a visitor without the
permission gets the same 404 as an unknown link; elsewhere an anonymous browser is
sent to sign in (303), anonymous JSON gets 401 and a signed-in user without the
permission 403.

Methods: GET (a browser), JSON (GET with ``Accept: application/json``), POST (a
form with the browser's own CSRF token and the fields in ``FIELDS``). A POST
expected to succeed runs in a portal of its own, so it changes nothing for the rest.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from portal.models import Assessment, AuditEvent
from portal.testing import JSON

from .protections import MADE_UP_LINK, NOT_FOUND, build_world, row_counts

WHO = (None, "client_a", "client_b", "consultant", "admin")

MATRIX = """
                                                       anon  A    B    cons admin
GET  /assessments/{owned}/                             404   200  404  404  200
JSON /assessments/{owned}/                             404   200  404  404  200
GET  /assessments/{owned}/questionnaire                404   303  404  404  303
GET  /assessments/{owned}/review                       404   303  404  404  303
GET  /assessments/{owned}/revisions/1                  404   200  404  404  200
JSON /assessments/{owned}/revisions/1                  404   200  404  404  200
GET  /assessments/{owned}/revisions/1/report.md        404   200  404  404  200
GET  /assessments/{owned}/revisions/1/report.pdf       404   200  404  404  200
GET  /assessments/{owned}/revisions/2/compare?with=1   404   200  404  404  200
JSON /assessments/{owned}/revisions/2/compare?with=1   404   200  404  404  200
GET  /assessments/{owned}/edit                         404   200  404  404  200
GET  /assessments/{owned}/delete                       404   200  404  404  200
GET  /assessments/{owned}/new-link                     404   200  404  404  200
POST /assessments/{owned}/new-link                     404   303  404  404  303
POST /assessments/{owned}/claim                        404   303  404  404  404
GET  /assessments/{anonymous}/                         200   200  200  200  200
JSON /assessments/{anonymous}/                         200   200  200  200  200
GET  /assessments/{anonymous}/questionnaire            303   303  303  303  303
GET  /assessments/{anonymous}/review                   303   303  303  303  303
GET  /assessments/{anonymous}/revisions/1              200   200  200  200  200
JSON /assessments/{anonymous}/revisions/1              200   200  200  200  200
GET  /assessments/{anonymous}/revisions/1/report.md    200   200  200  200  200
GET  /assessments/{anonymous}/revisions/1/report.pdf   200   200  200  200  200
GET  /assessments/{anonymous}/revisions/2/compare?with=1  200  200  200  200  200
GET  /assessments/{anonymous}/edit                     200   200  200  200  200
GET  /assessments/{anonymous}/delete                   200   200  200  200  200
GET  /assessments/{anonymous}/new-link                 200   200  200  200  200
POST /assessments/{anonymous}/claim                    404   303  303  404  303
GET  /consultant/                                      303   403  403  200  200
GET  /consultant/assessments/                          303   403  403  200  200
JSON /consultant/assessments/                          401   403  403  200  200
GET  /consultant/assessments/export.csv                303   403  403  200  200
GET  /consultant/assessments/{owned_row}/              303   403  403  200  200
GET  /consultant/assessments/{anonymous_row}/          303   403  403  200  200
JSON /consultant/assessments/{owned_row}/              401   403  403  200  200
GET  /consultant/assessments/{owned_row}/report.md     303   403  403  200  200
GET  /consultant/assessments/{owned_row}/report.pdf    303   403  403  200  200
GET  /consultant/assessments/{owned_row}/export.json   303   403  403  200  200
GET  /consultant/assessments/{owned_row}/revisions/1   303   403  403  200  200
GET  /consultant/assessments/999999/                   303   403  403  404  404
POST /consultant/assessments/{owned_row}/notes         403   403  403  303  303
POST /consultant/assessments/{owned_row}/decision      403   403  403  303  303
GET  /admin/                                           303   403  403  403  200
JSON /admin/                                           401   403  403  403  200
GET  /admin/users                                      303   403  403  403  200
POST /admin/users/{client_b}/role                      403   403  403  403  303
POST /admin/users/{client_b}/deactivate                403   403  403  403  303
POST /admin/users/{client_b}/reactivate                403   403  403  403  303
GET  /account                                          303   200  200  200  200
JSON /account                                          401   200  200  200  200
"""

FIELDS = {
    "notes": {"body": "Talked it through with the client."},
    "decision": {"framework": "{framework}", "reason": "The team knows it.", "decided_on": "2026-11-30"},
    "role": {"role": "consultant"},
}


def cells() -> list[tuple[str, str, str | None, int]]:
    rows = []
    for line in MATRIX.strip().splitlines()[1:]:
        method, path, *statuses = line.split()
        assert len(statuses) == len(WHO), line
        rows += [(method, path, who, int(status)) for who, status in zip(WHO, statuses, strict=True)]
    return rows


def values(world) -> dict:
    frameworks = world.app.get("/frameworks/", headers=JSON).json["frameworks"]
    return {
        "owned": world.owned,
        "anonymous": world.anonymous,
        "owned_row": world.owned_row,
        "anonymous_row": world.anonymous_row,
        "client_b": world.users["client_b"],
        "framework": frameworks[0]["slug"],
    }


def csrf_token(browser, who) -> str:
    if who is None:
        return browser.get("/sign-in").forms["sign-in"]["csrf_token"].value
    return browser.get("/account").forms["sign-out"]["csrf_token"].value


def request(world, browsers, method, path, who):
    given = values(world)
    url = path.format(**given)
    browser = browsers[who]
    if method == "GET":
        return browser.get(url, expect_errors=True)
    if method == "JSON":
        return browser.get(url, headers=JSON, expect_errors=True)
    fields = {k: v.format(**given) for k, v in FIELDS.get(url.rsplit("/", 1)[1], {}).items()}
    fields["csrf_token"] = csrf_token(browser, who)
    return browser.post(url, fields, expect_errors=True)


def label(who) -> str:
    return who or "anonymous"


@pytest.fixture
def world(make_app):
    return build_world(make_app)


def test_the_access_matrix(world, make_app, tmp_path_factory):
    browsers = {who: world.browser(who) for who in WHO}
    wrong = []
    succeeding_posts = []
    for method, path, who, expected in cells():
        if method == "POST" and expected < 400:
            succeeding_posts.append((method, path, who, expected))
            continue
        got = request(world, browsers, method, path, who).status_int
        if got != expected:
            wrong.append(f"{method} {path} as {label(who)}: {got}, expected {expected}")
    # The refused requests above left every table as it was, and the owned link still opens.
    assert browsers["client_a"].get(f"/assessments/{world.owned}/").status_int == 200
    for method, path, who, expected in succeeding_posts:
        fresh = build_world(make_app_in(tmp_path_factory, make_app))
        got = request(fresh, {who: fresh.browser(who)}, method, path, who).status_int
        if got != expected:
            wrong.append(f"{method} {path} as {label(who)}: {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def make_app_in(tmp_path_factory, make_app):
    """A make_app on a database file of its own (make_app alone reuses the test's file)."""
    folder = tmp_path_factory.mktemp("matrix")

    def factory(**settings):
        return make_app(sqlalchemy__url=f"sqlite:///{folder / 'portal.sqlite'}", **settings)

    return factory


def test_refused_requests_change_no_row(world):
    browsers = {who: world.browser(who) for who in WHO}
    before = row_counts(world.url)
    for method, path, who, expected in cells():
        if expected >= 400:
            request(world, browsers, method, path, who)
    assert row_counts(world.url) == before


@pytest.mark.parametrize("who", [None, "client_b", "consultant"])
@pytest.mark.parametrize(
    "suffix", ["", "questionnaire", "revisions/1", "revisions/1/report.md", "revisions/1/report.pdf", "edit"]
)
def test_not_yours_and_does_not_exist_answer_the_same_404(world, who, suffix):
    browser = world.browser(who)
    for headers in ({}, JSON):
        theirs = browser.get(f"/assessments/{world.owned}/{suffix}", headers=headers, expect_errors=True)
        unknown = browser.get(f"/assessments/{MADE_UP_LINK}/{suffix}", headers=headers, expect_errors=True)
        assert theirs.status_int == unknown.status_int == 404
        assert theirs.body == unknown.body
        assert theirs.content_type == unknown.content_type
        assert NOT_FOUND in theirs.text


def test_a_claim_by_another_client_of_an_owned_assessment_changes_nothing(world):
    browser = world.browser("client_b")
    token = csrf_token(browser, "client_b")
    browser.post(f"/assessments/{world.owned}/claim", {"csrf_token": token}, status=404)
    engine = create_engine(world.url)
    try:
        with engine.connect() as connection:
            owner = connection.scalar(select(Assessment.owner_id).where(Assessment.public_id == world.owned))
            claims = connection.scalar(select(AuditEvent.id).where(AuditEvent.action == "claimed"))
    finally:
        engine.dispose()
    assert owner == world.users["client_a"]
    assert claims is None
