"""The serverless criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_only_a_decided_serverless_platform_is_a_must(plugin_contract):
    data = plugin_contract("serverless")
    assert (data["title"], data["category"]) == ("Serverless deployment", "Team, architecture and operations")
    (plan,) = data["questions"]
    assert plan["key"] == "serverless.plan"
    options = {option["key"]: option for option in plan["options"]}
    assert [key for key, option in options.items() if option["must"]] == ["decided"]
    assert (options["no"]["need"], options["decided"]["need"]) == (0.0, 1.0)
