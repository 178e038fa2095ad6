"""The async_concurrency criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_waiting_is_skipped_for_a_lightly_used_system(plugin_contract):
    data = plugin_contract("async_concurrency")
    assert (data["title"], data["category"]) == (
        "Many simultaneous requests and slow outside calls",
        "APIs and performance",
    )
    load, waiting = data["questions"]
    assert (load["key"], waiting["key"]) == ("async_concurrency.load", "async_concurrency.waiting")
    assert load["required"] is True and load["allow_unsure"] is True
    assert "handful" not in waiting["condition"]["in"]
    assert "unsure" in waiting["condition"]["in"]
    assert {o["key"]: o["need"] for o in load["options"]}["handful"] == 0.0
