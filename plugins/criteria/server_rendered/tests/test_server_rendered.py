"""The server_rendered criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_forms_are_asked_only_when_there_are_pages(plugin_contract):
    data = plugin_contract("server_rendered")
    assert (data["title"], data["category"]) == ("Web pages and forms built on the server", "Features")
    pages, forms = data["questions"]
    assert (pages["key"], forms["key"]) == ("server_rendered.pages", "server_rendered.forms")
    needs = {o["key"]: o["need"] for o in pages["options"]}
    assert needs == {"none": 0.0, "few": 0.3, "some": 0.6, "main": 1.0}
    assert forms["condition"]["question"] == "server_rendered.pages"
    assert forms["condition"]["in"] == ["few", "some", "main", "unsure"]
