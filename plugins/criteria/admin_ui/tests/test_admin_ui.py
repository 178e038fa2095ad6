"""The admin_ui criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_only_contractual_admin_screens_are_a_must_have(plugin_contract):
    data = plugin_contract("admin_ui")
    assert (data["title"], data["category"]) == ("Admin screens for staff", "Features")
    need, records = data["questions"]
    assert (need["key"], records["key"]) == ("admin_ui.need", "admin_ui.records")
    musts = [(q["key"], o["key"]) for q in (need, records) for o in q["options"] if o["must"]]
    assert musts == [("admin_ui.need", "required")]
    # How many kinds of records is asked whenever admin screens are wanted now, required ones too.
    assert records["condition"] == {"question": "admin_ui.need", "in": ["yes", "required"]}
