"""``portal sample-users`` (run by ./scripts/serve): one account per role on an empty database, shown once."""

from __future__ import annotations

from portal.passwords import check_new_password, verify_password
from portal.testing import app_settings

from .conftest import ROOT
from .test_accounts_cli import GOOD, portal, portal_db, users  # noqa: F401 (portal_db is a fixture)


def test_an_empty_portal_gets_one_account_per_role_whose_passwords_are_printed_once(portal_db):  # noqa: F811
    ini, engine = portal_db
    made = portal(ini, "sample-users")
    assert made.returncode == 0, made.stderr
    header, *lines = made.stdout.strip().splitlines()
    assert header == "Sample accounts (shown once):"
    printed = {line.split()[1]: (line.split()[0], line.split()[2]) for line in lines}
    assert set(printed) == {"client@example.com", "consultant@example.com", "admin@example.com"}
    stored = users(engine)
    for email, (role, password) in printed.items():
        check_new_password(password)
        assert stored[email].role == role == email.split("@")[0]
        assert stored[email].email_verified is not None and stored[email].active
        assert verify_password(app_settings(""), stored[email].password_hash, password)
    assert len({password for _role, password in printed.values()}) == 3
    # Never again: the accounts exist, so nothing is made or shown.
    again = portal(ini, "sample-users")
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert {email: user.password_hash for email, user in users(engine).items()} == {
        email: user.password_hash for email, user in stored.items()
    }


def test_a_portal_with_any_user_gets_no_samples(portal_db):  # noqa: F811
    ini, engine = portal_db
    assert portal(ini, "create-user", "ann@example.com", "--role", "admin", password=GOOD).returncode == 0
    result = portal(ini, "sample-users")
    assert (result.returncode, result.stdout) == (0, "")
    assert list(users(engine)) == ["ann@example.com"]


def test_serve_makes_the_samples_after_migrating():
    script = (ROOT / "scripts" / "serve").read_text()
    assert (
        script.index("upgrade head")
        < script.index("portal sample-users development.ini")
        < script.index("exec .venv/bin/pserve")
    )
