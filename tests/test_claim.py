"""Save to my account: claiming an anonymous assessment, at sign-in, once only, in the audit trail."""

from __future__ import annotations

import threading

import pytest
import webtest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from portal import assessments
from portal.models import Assessment, User
from portal.security import link_digest
from portal.testing import JSON

from .accounts import add_user, sign_in
from .conftest import alembic_upgrade
from .owner_helpers import completed, events, new_assessment, row
from .protections import NOT_FOUND


@pytest.fixture
def app(make_app):
    return make_app(migrate=True)


def test_an_anonymous_visitor_signs_in_from_the_result_page_and_saves_it_with_one_more_click(app):
    url, public_id = completed(app)
    ann = add_user(app, "ann@example.com")
    result = app.get(url + "revisions/1")
    link = result.html.select_one(".claim-link a")
    assert link.text == "Save to my account" and link["href"] == url + "claim-page"
    # Anonymous: the link leads to sign in, and sign-in comes back to it.
    to_sign_in = app.get(link["href"], status=303)
    assert to_sign_in.location.endswith(f"/sign-in?next=/assessments/{public_id}/claim-page")
    page = to_sign_in.follow()
    assert page.forms["sign-in"]["next"].value == f"/assessments/{public_id}/claim-page"
    back = sign_in(app, "ann@example.com", next_path=f"/assessments/{public_id}/claim-page")
    assert back.location == url + "claim-page"
    confirm = back.follow()
    assert "Save “Shop” to your account" in confirm.text
    done = confirm.forms["claim"].submit(status=303)
    assert done.location == url + "?claimed=1"
    assert "Saved to your account" in done.follow().text
    assert row(app, public_id).owner_id == ann
    assert (link_digest(public_id), "claimed", ann, {}) in events(app)
    # The result page is now the owner's, without the claim link.
    assert not app.get(url + "revisions/1").html.select(".claim-link")
    # And the account page lists it.
    assert "Shop" in app.get("/account").text


def test_the_overview_offers_the_form_to_a_signed_in_client_and_sign_in_to_a_visitor(app):
    url, public_id = new_assessment(app)
    visitor = app.get(url)
    assert not [f for f in visitor.forms.values() if f.action.endswith("/claim")]
    assert f"/sign-in?next=/assessments/{public_id}/claim-page" in visitor.text
    add_user(app, "ann@example.com")
    sign_in(app, "ann@example.com")
    page = app.get(url)
    assert page.forms["claim"].action == url + "claim"
    page.forms["claim"].submit(status=303)
    assert "Saved to your account" in app.get(url + "?claimed=1").text
    assert not [f for f in app.get(url).forms.values() if f.action.endswith("/claim")]


def test_a_second_client_cannot_claim_one_already_owned_nor_open_it(app):
    url, public_id = new_assessment(app)
    ann = add_user(app, "ann@example.com")
    add_user(app, "bob@example.com")
    sign_in(app, "ann@example.com")
    token = app.get(url).forms["claim"]["csrf_token"].value
    app.post(url + "claim", {"csrf_token": token}, status=303)
    bob = webtest.TestApp(app.app)
    sign_in(bob, "bob@example.com")
    unknown = bob.get("/assessments/" + "x" * 32 + "/", status=404)
    for answer in (bob.get(url, status=404), bob.get(url + "claim-page", status=404)):
        assert NOT_FOUND in answer.text
    bob_token = bob.get("/account").forms["sign-out"]["csrf_token"].value
    refused = bob.post(url + "claim", {"csrf_token": bob_token}, status=404)
    assert refused.html.select_one("main").text == unknown.html.select_one("main").text
    assert row(app, public_id).owner_id == ann
    assert [e for e in events(app) if e[1] == "claimed"] == [(link_digest(public_id), "claimed", ann, {})]
    # Claiming one's own again is answered, and changes nothing.
    app.post(url + "claim", {"csrf_token": token}, status=303)
    assert len([e for e in events(app) if e[1] == "claimed"]) == 1


def test_claiming_by_json_answers_the_state_and_an_anonymous_caller_gets_the_unknown_link(app):
    url, public_id = new_assessment(app)
    app.post_json(url + "claim", {}, headers=JSON, status=404)
    ann = add_user(app, "ann@example.com")
    client = webtest.TestApp(app.app)
    sign_in(client, "ann@example.com")
    token = client.get("/account").forms["sign-out"]["csrf_token"].value
    answer = client.post_json(url + "claim", {}, headers={**JSON, "X-CSRF-Token": token}, status=200)
    assert answer.json["id"] == public_id and answer.location == url
    assert row(app, public_id).owner_id == ann
    # The anonymous caller's link opens nothing now.
    app.get(url, headers=JSON, status=404)


def test_a_consultant_holding_an_anonymous_link_cannot_claim_it(app):
    url, public_id = new_assessment(app)
    add_user(app, "cora@example.com", role="consultant")
    sign_in(app, "cora@example.com")
    assert "Only client accounts keep assessments" in app.get(url + "claim-page").text
    token = app.get("/account").forms["sign-out"]["csrf_token"].value
    app.post(url + "claim", {"csrf_token": token}, status=404)
    assert row(app, public_id).owner_id is None


def test_two_clients_racing_to_claim_one_wins(postgresql_url):
    """Two transactions claim the same row at once: the second's conditional UPDATE waits for
    the first's row lock, then matches nothing."""
    alembic_upgrade(postgresql_url)
    engine = create_engine(postgresql_url)
    user_ids, row_id = setup_race(engine)
    ready, outcome = threading.Barrier(2), {}

    def attempt(user_id):
        with Session(engine) as session, session.begin():
            found = session.get(Assessment, row_id)
            assert found.owner_id is None
            ready.wait()
            try:
                assessments.claim(session, found, user_id)
                outcome[user_id] = "won"
                # Hold the row lock a moment, so the other claim surely waits on it.
                threading.Event().wait(0.3)
            except assessments.AlreadyOwned:
                outcome[user_id] = "lost"

    threads = [threading.Thread(target=attempt, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcome.values()) == ["lost", "won"]
    winner = next(u for u, result in outcome.items() if result == "won")
    with Session(engine) as session:
        assert session.get(Assessment, row_id).owner_id == winner
    engine.dispose()


def test_a_claim_read_before_another_committed_loses_on_sqlite_too(tmp_path):
    """SQLite lets one writer in at a time: the late claim, loaded while still anonymous, loses."""
    url = f"sqlite:///{tmp_path / 'race.sqlite'}"
    alembic_upgrade(url)
    engine = create_engine(url)
    (ann, bob), row_id = setup_race(engine)
    with Session(engine) as first, Session(engine) as second:
        mine, theirs = first.get(Assessment, row_id), second.get(Assessment, row_id)
        assert mine.owner_id is None and theirs.owner_id is None
        second.rollback()  # ends its read, as a request does before it writes
        assessments.claim(first, mine, ann)
        first.commit()
        with pytest.raises(assessments.AlreadyOwned):
            assessments.claim(second, theirs, bob)
        second.rollback()
    with Session(engine) as session:
        assert session.get(Assessment, row_id).owner_id == ann
    engine.dispose()


def setup_race(engine) -> tuple[list[int], int]:
    with Session(engine) as session, session.begin():
        users = [User(email=f"{n}@example.com", password_hash="x", role="client") for n in ("ann", "bob")]
        session.add_all(users)
        created = assessments.create(session, "Raced")
        session.flush()
        return [u.id for u in users], created.id
