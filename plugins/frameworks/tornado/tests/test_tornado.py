"""The Tornado profile keeps the plugin contract (portal.testing) and says what Tornado is."""


def test_tornado_keeps_the_plugin_contract(plugin_contract):
    data = plugin_contract("tornado")
    assert (data["title"], data["kind"], data["homepage"]) == (
        "Tornado",
        "async",
        "https://www.tornadoweb.org/",
    )
    assert "Chat and messaging applications" in data["use_cases"]
