"""The security_defaults criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_sensitive_data_is_asked_only_for_real_deployments(plugin_contract):
    data = plugin_contract("security_defaults")
    assert (data["title"], data["category"]) == ("Built-in protection against common attacks", "Features")
    exposure, data = data["questions"]
    assert (exposure["key"], data["key"]) == ("security_defaults.exposure", "security_defaults.data")
    assert {o["key"]: o["need"] for o in exposure["options"]}["prototype"] == 0.0
    assert data["condition"] == {"question": "security_defaults.exposure", "in": ["internal", "public"]}
    assert data["allow_unsure"]
