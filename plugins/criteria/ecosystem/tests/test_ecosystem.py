"""The ecosystem criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_neither_question_is_required_and_no_hiring_means_no_need(plugin_contract):
    data = plugin_contract("ecosystem")
    assert (data["title"], data["category"]) == (
        "Ecosystem, community and hiring",
        "Team, architecture and operations",
    )
    hiring, integrations = data["questions"]
    assert (hiring["key"], integrations["key"]) == ("ecosystem.hiring", "ecosystem.integrations")
    assert not hiring["required"] and not integrations["required"]
    assert {o["key"]: o["need"] for o in hiring["options"]}["no"] == 0.0
    assert {o["key"]: o["need"] for o in integrations["options"]}["little"] == 0.0
