"""The FastAPI profile keeps the plugin contract (portal.testing) and says what FastAPI is."""


def test_fastapi_keeps_the_plugin_contract(plugin_contract):
    data = plugin_contract("fastapi")
    assert (data["title"], data["kind"], data["homepage"]) == (
        "FastAPI",
        "async",
        "https://fastapi.tiangolo.com/",
    )
    assert "API-first services" in data["best_fit"]
