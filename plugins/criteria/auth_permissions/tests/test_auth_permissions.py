"""The auth_permissions criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_roles_are_asked_only_when_people_sign_in(plugin_contract):
    data = plugin_contract("auth_permissions")
    assert (data["title"], data["category"]) == ("User accounts and permissions", "Features")
    login, roles = data["questions"]
    assert (login["key"], roles["key"]) == ("auth_permissions.login", "auth_permissions.roles")
    assert roles["condition"] == {"question": "auth_permissions.login", "in": ["staff", "customers"]}
    assert not any(o["must"] for q in (login, roles) for o in q["options"])
