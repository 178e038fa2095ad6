"""The data_model criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_changes_are_asked_only_when_data_is_kept(plugin_contract):
    data = plugin_contract("data_model")
    assert (data["title"], data["category"]) == ("Stored data and database", "Features")
    records, changes = data["questions"]
    assert (records["key"], changes["key"]) == ("data_model.records", "data_model.changes")
    assert {o["key"]: o["need"] for o in records["options"]}["none"] == 0.0
    assert "none" not in changes["condition"]["in"]
    assert "unsure" in changes["condition"]["in"]
