"""The admin area: plugins and weights as `portal check` sees them; users' roles and (re)activation."""

from __future__ import annotations

import pytest
import webtest
from sqlalchemy import update

from portal.models import ApiToken, AuthSession, User
from portal.plugins.check import check
from portal.settings import settings_file
from portal.testing import JSON

from .accounts import add_user, count, execute, new_token, sign_in, user_row


@pytest.fixture
def app(make_app):
    return make_app(migrate=True)


def browser(app, email: str) -> webtest.TestApp:
    other = webtest.TestApp(app.app)
    sign_in(other, email)
    return other


@pytest.fixture
def admin(app):
    user_id = add_user(app, "ada@example.com", role="admin")
    sign_in(app, "ada@example.com")
    return user_id


def test_the_admin_page_lists_installed_plugins_with_versions_problems_and_the_weights(app, admin):
    page = app.get("/admin/")
    settings = app.app.registry.settings
    report = check(dict(settings), settings_file(settings.get("portal.ini_file")), every=True)
    rows = {row.th.text: [td.text for td in row.select("td")] for row in page.html.select("tbody tr")}
    listed = 0
    for kind, offers in report.installed.items():
        for name, dists in offers.items():
            plugin = dists[0]
            cells = rows[name]
            assert cells[0] == plugin.source.distribution and cells[1] == plugin.source.version
            assert cells[2].startswith("enabled" if name in report.enabled[kind] else "disabled")
            problems = report.problems_of(plugin.source.distribution)
            assert (cells[3] == "none") is (not problems)
            listed += 1
    assert listed >= 2
    assert f"{len(report.errors)} error" in page.text
    weights = page.html.select_one("#weights-title").find_parent("section")
    assert "portal.criteria.weights" in weights.text and "Read-only" in weights.text
    shown = {row.select("td")[0].text: row.select("td")[1].text for row in weights.select("tbody tr")}
    catalog = app.app.registry.portal_catalog
    assert shown == {key: f"{c.weight:g}" for key, c in catalog.criteria.items()} and shown


def test_the_plugin_check_runs_once_per_process_and_the_page_says_when(app, admin):
    first = app.get("/admin/")
    table = app.app.registry["portal.admin_plugin_table"]
    checked = first.html.select_one("#plugins-checked").text
    assert f"Checked on {table['checked'].day} {table['checked']:%B %Y, %H:%M} UTC" in checked
    assert "only after a restart" in checked
    # Later requests show the same table, not a new check.
    second = app.get("/admin/")
    assert app.app.registry["portal.admin_plugin_table"] is table
    assert second.html.select_one("#plugins-checked").text == checked


def test_an_admin_changes_a_role_and_the_user_has_it_at_once(app, admin):
    ann = add_user(app, "ann@example.com")
    ann_browser = browser(app, "ann@example.com")
    ann_browser.get("/admin/", status=403)
    page = app.get("/admin/users")
    assert "ann@example.com" in page.text and "Ann" in page.text
    form = page.forms[f"role-form-{ann}"]
    form["role"] = "admin"
    assert form.submit(status=303).follow().html.select_one(".notice").text == "The role is changed."
    assert user_row(app).role == "admin"
    ann_browser.get("/admin/", status=200)


def test_a_wrong_role_is_refused_naming_the_field(app, admin):
    ann = add_user(app, "ann@example.com")
    token = app.get("/admin/users").forms[f"role-form-{ann}"]["csrf_token"].value
    refused = app.post(f"/admin/users/{ann}/role", {"role": "emperor", "csrf_token": token}, status=400)
    assert refused.html.select_one(f"#error-{ann}").text.startswith("Choose a role")
    assert refused.html.select_one(".error-summary a")["href"] == f"#role-{ann}"
    assert user_row(app).role == "client"
    app.post("/admin/users/999/role", {"role": "client", "csrf_token": token}, status=404)


def test_deactivating_ends_the_users_sessions_and_sign_in(app, admin):
    ann = add_user(app, "ann@example.com")
    ann_browser = browser(app, "ann@example.com")
    ann_browser.get("/account", status=200)
    before = user_row(app).session_version
    page = app.get("/admin/users")
    page.forms[f"deactivate-{ann}"].submit(status=303)
    row = user_row(app)
    assert row.active is False and row.session_version == before + 1
    assert count(app, AuthSession, AuthSession.user_id == ann) == 0
    # The session is over: the account page sends her to sign in, and signing in fails.
    assert "/sign-in" in ann_browser.get("/account", status=303).location
    sign_in(ann_browser, "ann@example.com", status=400)
    # The page shows her inactive, offering to reactivate her instead.
    page = app.get("/admin/users")
    row = next(tr for tr in page.html.select("tbody tr") if tr.th.text.startswith("ann@example.com"))
    assert [td.text for td in row.select("td")][2] == "no"
    assert f"reactivate-{ann}" in page.forms and f"deactivate-{ann}" not in page.forms


def test_reactivating_lets_the_account_sign_in_again_but_brings_back_no_session_or_token(app, admin):
    ann = add_user(app, "ann@example.com")
    ann_browser = browser(app, "ann@example.com")
    token = new_token(ann_browser)
    program = webtest.TestApp(app.app)
    bearer = {**JSON, "Authorization": f"Bearer {token}"}
    program.get("/account", headers=bearer, status=200)
    app.get("/admin/users").forms[f"deactivate-{ann}"].submit(status=303)
    assert count(app, ApiToken, ApiToken.user_id == ann, ApiToken.revoked.is_(None)) == 0
    program.get("/account", headers=bearer, status=401)

    page = app.get("/admin/users")
    assert f"deactivate-{ann}" not in page.forms
    done = page.forms[f"reactivate-{ann}"].submit(status=303)
    assert done.location.endswith("/admin/users?done=reactivated")
    assert "The account is active again" in done.follow().text
    assert user_row(app).active
    # The old session and the old token stay ended; her password signs her in again.
    assert "/sign-in" in ann_browser.get("/account", status=303).location
    program.get("/account", headers=bearer, status=401)
    sign_in(ann_browser, "ann@example.com")
    ann_browser.get("/account", status=200)


def test_deactivating_takes_no_parameters(app, admin):
    ann = add_user(app, "ann@example.com")
    token = app.get("/admin/users").forms[f"deactivate-{ann}"]["csrf_token"].value
    headers = {**JSON, "X-CSRF-Token": token}
    refused = app.post_json(f"/admin/users/{ann}/deactivate", {"active": True}, headers=headers, status=400)
    assert "takes no parameters" in refused.json["errors"]["_request"]
    assert user_row(app).active


def test_an_admin_can_neither_demote_nor_deactivate_themselves(app, admin):
    page = app.get("/admin/users")
    form = page.forms[f"role-form-{admin}"]
    form["role"] = "client"
    refused = form.submit(status=400)
    assert "You cannot change your own role" in refused.text
    refused = page.forms[f"deactivate-{admin}"].submit(status=400)
    assert "You cannot deactivate your own account" in refused.text
    row = user_row(app, "ada@example.com")
    assert row.role == "admin" and row.active
    app.get("/admin/", status=200)


@pytest.mark.parametrize("role", ["client", "consultant"])
def test_other_roles_get_403_and_change_nothing(app, role):
    target = add_user(app, "ann@example.com")
    add_user(app, "eve@example.com", role=role)
    sign_in(app, "eve@example.com")
    for path in ("/admin/", "/admin/users"):
        app.get(path, status=403)
    token = app.get("/account").forms["sign-out"]["csrf_token"].value
    app.post(f"/admin/users/{target}/role", {"role": "admin", "csrf_token": token}, status=403)
    app.post(f"/admin/users/{target}/deactivate", {"csrf_token": token}, status=403)
    row = user_row(app)
    assert row.role == "client" and row.active
    execute(app, update(User).where(User.id == target).values(active=False))
    app.post(f"/admin/users/{target}/reactivate", {"csrf_token": token}, status=403)
    assert not user_row(app).active


def test_anonymous_visitors_are_sent_to_sign_in_and_json_gets_401(app):
    for path in ("/admin/", "/admin/users"):
        answer = app.get(path, status=303)
        assert answer.location.endswith("/sign-in?next=" + path.replace("/", "%2F"))
        app.get(path, headers=JSON, status=401)
