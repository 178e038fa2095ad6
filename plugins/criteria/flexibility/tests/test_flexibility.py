"""The flexibility criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_every_question_can_say_it_does_not_matter_and_nothing_is_a_must(plugin_contract):
    data = plugin_contract("flexibility")
    assert (data["title"], data["category"]) == (
        "Freedom to choose components",
        "Team, architecture and operations",
    )
    asked = data["questions"]
    assert [q["key"] for q in asked] == ["flexibility.components", "flexibility.existing"]
    for question in asked:
        assert min(option["need"] for option in question["options"]) == 0.0
        assert not any(option["must"] for option in question["options"])
