"""The content_structure criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_per_item_permissions_refine_a_content_tree_and_are_skipped_without_one(plugin_contract):
    data = plugin_contract("content_structure")
    assert (data["title"], data["category"]) == ("Content hierarchy and per-object permissions", "Features")
    hierarchy, permissions = data["questions"]
    assert (hierarchy["key"], permissions["key"]) == (
        "content_structure.hierarchy",
        "content_structure.permissions",
    )
    assert {o["key"]: o["need"] for o in hierarchy["options"]} == {"no": 0.0, "some": 0.4, "central": 1.0}
    assert permissions["condition"] == {
        "question": "content_structure.hierarchy",
        "in": ["some", "central", "unsure"],
    }
    # A follow-up refines its parent's need by a factor; it never sets a need of its own.
    factors = [o["factor"] for o in permissions["options"]]
    assert factors == sorted(factors) and factors[0] < 1.0 < factors[-1]
