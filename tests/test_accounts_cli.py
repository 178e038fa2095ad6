"""``portal create-user``, ``set-role`` and ``deactivate``; the users table."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.orm import Session

from portal.models import User
from portal.passwords import verify_password
from portal.testing import app_settings

from .conftest import ROOT, alembic_config, alembic_upgrade

PORTAL = str(Path(sys.executable).parent / "portal")
GOOD = "tulip-ledger-57-orbit"


@pytest.fixture
def portal_db(tmp_path):
    """A migrated SQLite file and an ini naming it (with cheap argon2 parameters)."""
    url = f"sqlite:///{tmp_path / 'accounts.sqlite'}"
    alembic_upgrade(url)
    ini = tmp_path / "accounts.ini"
    text = (ROOT / "development.ini").read_text().replace("sqlite:///%(here)s/portal.sqlite", url)
    cheap = "".join(f"{k} = {v}\n" for k, v in app_settings(url).items() if k.startswith("portal.argon2."))
    ini.write_text(text.replace("[app:main]\n", "[app:main]\n" + cheap, 1))
    engine = create_engine(url)
    yield ini, engine
    engine.dispose()


def portal(ini, *arguments, password=None):
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_PASSWORD"}
    if password is not None:
        env["PORTAL_PASSWORD"] = password
    # stdin is not a terminal here: the password comes from PORTAL_PASSWORD. The ini comes
    # right after the positional arguments, before the options (argparse reads them so).
    name, *rest = arguments
    positional = [a for a in rest if not a.startswith("--")] if name != "create-user" else rest[:1]
    options = rest[len(positional) :]
    return subprocess.run(
        [PORTAL, name, *positional, str(ini), *options],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def users(engine) -> dict[str, User]:
    with Session(engine) as session:
        return {user.email: user for user in session.scalars(select(User))}


def test_create_user_stores_a_normalised_email_and_an_argon2id_hash(portal_db):
    ini, engine = portal_db
    result = portal(
        ini, "create-user", " Ann@Example.COM ", "--role", "consultant", "--name", "Ann", password=GOOD
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "created consultant ann@example.com"
    ann = users(engine)["ann@example.com"]
    assert (ann.display_name, ann.role, ann.active, ann.session_version) == ("Ann", "consultant", True, 1)
    assert ann.password_hash.startswith("$argon2id$") and GOOD not in ann.password_hash
    assert verify_password(app_settings("sqlite://"), ann.password_hash, GOOD)


def test_refusals_are_one_line_with_exit_2_and_change_nothing(portal_db):
    ini, engine = portal_db
    assert portal(ini, "create-user", "ann@example.com", "--role", "client", password=GOOD).returncode == 0
    cases = [
        (("create-user", "ANN@example.com", "--role", "admin"), GOOD, "exists already"),
        (("create-user", "bob@example.com", "--role", "boss"), GOOD, "unknown role 'boss'"),
        (("create-user", "bob@example.com", "--role", "client"), "short", "at least 8 characters"),
        (("create-user", "bob@example.com", "--role", "client"), "password123", "most common passwords"),
        (("create-user", "bob@example.com", "--role", "client"), None, "set PORTAL_PASSWORD"),
        (("set-role", "bob@example.com", "admin"), None, "no user with the email bob@example.com"),
        (("set-role", "ann@example.com", "boss"), None, "unknown role 'boss'"),
        (("deactivate", "bob@example.com"), None, "no user with the email bob@example.com"),
    ]
    for arguments, password, reason in cases:
        result = portal(ini, *arguments, password=password)
        assert result.returncode == 2, (arguments, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and reason in result.stderr, result.stderr
    left = users(engine)
    assert list(left) == ["ann@example.com"] and left["ann@example.com"].role == "client"


def test_set_role_deactivate_and_reactivate(portal_db):
    ini, engine = portal_db
    assert portal(ini, "create-user", "ann@example.com", "--role", "client", password=GOOD).returncode == 0
    changed = portal(ini, "set-role", "Ann@Example.com", "admin")
    assert changed.returncode == 0 and changed.stdout.strip() == "ann@example.com is now admin"
    assert users(engine)["ann@example.com"].role == "admin"
    gone = portal(ini, "deactivate", "ann@example.com")
    assert gone.returncode == 0 and gone.stdout.strip() == "deactivated ann@example.com"
    ann = users(engine)["ann@example.com"]
    # Deactivating also bumps the session version, which will end the user's sessions.
    assert (ann.active, ann.session_version, ann.role) == (False, 2, "admin")
    back = portal(ini, "reactivate", "ann@example.com")
    assert back.returncode == 0 and back.stdout.strip() == "reactivated ann@example.com"
    ann = users(engine)["ann@example.com"]
    # Active again; the sessions it had stay ended (the version is not put back).
    assert (ann.active, ann.session_version) == (True, 2)
    unknown = portal(ini, "reactivate", "bob@example.com")
    assert unknown.returncode == 2 and "no user with the email bob@example.com" in unknown.stderr


def test_the_account_migrations_go_up_and_down(database_url):
    alembic_upgrade(database_url)
    engine = create_engine(database_url)
    try:
        columns = {column["name"] for column in inspect(engine).get_columns("users")}
        assert columns == {
            "id",
            "email",
            "display_name",
            "role",
            "password_hash",
            "active",
            "created",
            "session_version",
            "email_verified",
        }
        uniques = inspect(engine).get_unique_constraints("users")
        assert [constraint["column_names"] for constraint in uniques] == [["email"]]
        command.downgrade(alembic_config(database_url), "0006")
        inspect(engine).clear_cache()
        tables = set(inspect(engine).get_table_names())
        assert not tables & {"auth_sessions", "api_tokens", "assessment_notes", "assessment_decisions"}
        assert "owner_id" not in {column["name"] for column in inspect(engine).get_columns("assessments")}
        assert "email_verified" not in {column["name"] for column in inspect(engine).get_columns("users")}
        command.downgrade(alembic_config(database_url), "0005")
        inspect(engine).clear_cache()
        assert "users" not in inspect(engine).get_table_names()
        assert "assessments" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
