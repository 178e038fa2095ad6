from portal.testing import JSON


def test_auth_permissions_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="auth_permissions")
    data = app.get("/criteria/auth_permissions", headers=JSON).json
    assert data["title"] == "User accounts and permissions"
    assert [q["key"] for q in data["questions"]] == ["auth_permissions.login", "auth_permissions.roles"]


def test_roles_are_asked_only_when_people_sign_in(make_app):
    app = make_app(frameworks="*", criteria="auth_permissions")
    login, roles = app.get("/criteria/auth_permissions", headers=JSON).json["questions"]
    assert roles["condition"] == {"question": "auth_permissions.login", "in": ["staff", "customers"]}
    assert not any(o["must"] for q in (login, roles) for o in q["options"])
