"""The project_scale criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_small_projects_do_not_need_scale_and_teams_is_a_follow_up(plugin_contract):
    data = plugin_contract("project_scale")
    assert (data["title"], data["category"]) == ("Size of the application", "Your project")
    size, teams = data["questions"]
    assert (size["key"], teams["key"]) == ("project_scale.size", "project_scale.teams")
    needs = {o["key"]: o["need"] for o in size["options"]}
    assert needs["small"] == 0.0 and needs["large"] == 1.0
    assert teams["condition"] == {"question": "project_scale.size", "in": ["medium", "large", "unsure"]}
