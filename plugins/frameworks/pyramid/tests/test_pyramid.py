"""The Pyramid profile keeps the plugin contract (portal.testing) and says what Pyramid is."""


def test_pyramid_keeps_the_plugin_contract(plugin_contract):
    data = plugin_contract("pyramid")
    assert (data["title"], data["kind"], data["homepage"]) == (
        "Pyramid",
        "flexible",
        "https://trypyramid.com/",
    )
    assert "Projects that may start small and grow into complex systems" in data["best_fit"]
