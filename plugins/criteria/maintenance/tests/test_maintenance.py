"""The maintenance criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_upkeep_is_not_asked_for_a_short_lived_system(plugin_contract):
    data = plugin_contract("maintenance")
    assert (data["title"], data["category"]) == (
        "Long-term maintenance and stability",
        "Team, architecture and operations",
    )
    lifetime, upkeep = data["questions"]
    assert (lifetime["key"], upkeep["key"]) == ("maintenance.lifetime", "maintenance.upkeep")
    assert {o["key"]: o["need"] for o in lifetime["options"]}["months"] == 0.0
    assert upkeep["condition"]["question"] == "maintenance.lifetime"
    assert "months" not in upkeep["condition"]["in"]
