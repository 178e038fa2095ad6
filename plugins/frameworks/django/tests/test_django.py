"""The Django profile keeps the plugin contract (portal.testing) and says what Django is."""


def test_django_keeps_the_plugin_contract(plugin_contract):
    data = plugin_contract("django")
    assert (data["title"], data["kind"], data["homepage"]) == (
        "Django",
        "full-stack",
        "https://www.djangoproject.com/",
    )
    assert "Admin-heavy systems" in data["best_fit"]
