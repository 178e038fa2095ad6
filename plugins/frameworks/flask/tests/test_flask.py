"""The Flask profile keeps the plugin contract (portal.testing) and says what Flask is."""


def test_flask_keeps_the_plugin_contract(plugin_contract):
    data = plugin_contract("flask")
    assert (data["title"], data["kind"], data["homepage"]) == (
        "Flask",
        "micro",
        "https://flask.palletsprojects.com/",
    )
    assert "Simple APIs" in data["best_fit"]
