"""The api_first criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_documentation_is_asked_only_when_there_is_an_api(plugin_contract):
    data = plugin_contract("api_first")
    assert (data["title"], data["category"]) == ("API-first development", "APIs and performance")
    consumers, documentation = data["questions"]
    assert (consumers["key"], documentation["key"]) == ("api_first.consumers", "api_first.documentation")
    assert documentation["condition"] == {"question": "api_first.consumers", "in": ["some", "major", "core"]}
    needs = {option["key"]: option["need"] for option in consumers["options"]}
    assert (needs["no"], needs["core"]) == (0.0, 1.0)
