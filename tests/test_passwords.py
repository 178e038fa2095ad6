"""argon2id hashes and the rules a new password must meet."""

from __future__ import annotations

import pytest

from portal.passwords import (
    MAX_LENGTH,
    WeakPassword,
    check_new_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from portal.testing import app_settings

CHEAP = app_settings("sqlite://")


def test_a_hash_is_argon2id_and_verifies_only_its_password():
    stored = hash_password(CHEAP, "correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "m=64,t=1,p=1" in stored
    assert verify_password(CHEAP, stored, "correct horse battery")
    assert not verify_password(CHEAP, stored, "correct horse batterY")
    assert not verify_password(CHEAP, "not a hash", "correct horse battery")


def test_a_hash_made_with_other_parameters_asks_to_be_rehashed():
    stored = hash_password(CHEAP, "correct horse battery")
    assert not needs_rehash(CHEAP, stored)
    dearer = {**CHEAP, "portal.argon2.time_cost": "2"}
    assert needs_rehash(dearer, stored)
    # It still verifies, so the next sign-in can replace it.
    assert verify_password(dearer, stored, "correct horse battery")


def test_without_settings_the_librarys_recommended_parameters_apply():
    assert "m=65536,t=3,p=4" in hash_password({}, "correct horse battery")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short12", "at least 8 characters"),
        ("x" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH} characters"),
        ("password1", "most common passwords"),
        ("Password1", "most common passwords"),
        ("qwertyuiop", "most common passwords"),
    ],
)
def test_short_long_and_common_passwords_are_refused(password, reason):
    with pytest.raises(WeakPassword, match=reason):
        check_new_password(password)


def test_long_uncommon_passwords_are_accepted():
    check_new_password("tulip-ledger-57-orbit")
    check_new_password("y" * 64)
    check_new_password("z" * MAX_LENGTH)
    # A password longer than any that can be set never verifies (and is not hashed).
    assert not verify_password(CHEAP, hash_password(CHEAP, "z" * MAX_LENGTH), "z" * (MAX_LENGTH + 1))
