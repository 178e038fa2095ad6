"""The scope_growth criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_follow_ups_are_skipped_when_the_scope_is_settled(plugin_contract):
    data = plugin_contract("scope_growth")
    assert (data["title"], data["category"]) == ("Growth and change over time", "Your project")
    first, *follow_ups = data["questions"]
    assert [q["key"] for q in (first, *follow_ups)] == [
        "scope_growth.likelihood",
        "scope_growth.restructure",
        "scope_growth.variants",
    ]
    assert first["required"] and first["allow_unsure"]
    for question in follow_ups:
        assert question["condition"]["question"] == "scope_growth.likelihood"
        assert "settled" not in question["condition"]["in"]
