"""The rapid_start criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_a_prototype_needs_a_quick_start_and_a_complete_product_does_not(plugin_contract):
    data = plugin_contract("rapid_start")
    assert (data["title"], data["category"]) == ("Small, quick start", "Your project")
    start, deadline = data["questions"]
    assert (start["key"], deadline["key"]) == ("rapid_start.start", "rapid_start.deadline")
    needs = {o["key"]: o["need"] for o in start["options"]}
    assert needs["prototype"] == 1.0 and needs["complete"] == 0.0
    assert deadline["condition"] == {"question": "rapid_start.start", "in": ["first_version", "focused"]}
