"""The realtime criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_only_live_connections_at_the_heart_of_the_product_is_a_must(plugin_contract):
    data = plugin_contract("realtime")
    assert (data["title"], data["category"]) == (
        "Real-time features and long-lived connections",
        "APIs and performance",
    )
    live, connections = data["questions"]
    assert (live["key"], connections["key"]) == ("realtime.live", "realtime.connections")
    musts = [(q["key"], o["key"]) for q in (live, connections) for o in q["options"] if o["must"]]
    assert musts == [("realtime.live", "core")]
    assert connections["condition"]["question"] == "realtime.live"
    assert "no" not in connections["condition"]["in"]
