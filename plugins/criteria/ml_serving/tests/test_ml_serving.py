"""The ml_serving criterion keeps the plugin contract (portal.testing), and asks what it should."""


def test_a_dedicated_prediction_service_makes_it_central(plugin_contract):
    data = plugin_contract("ml_serving")
    assert (data["title"], data["category"]) == (
        "Serving machine-learning and AI model results",
        "APIs and performance",
    )
    role, volume = data["questions"]
    assert (role["key"], volume["key"]) == ("ml_serving.role", "ml_serving.volume")
    needs = {option["key"]: option["need"] for option in role["options"]}
    assert needs == {"no": 0.0, "feature": 0.5, "service": 1.0}
    assert volume["condition"] == {"question": "ml_serving.role", "in": ["feature", "service", "unsure"]}
