"""Test fixture: a criterion rated by hooks, with options from the enabled frameworks."""


def need(answers):
    return 0.0 if not answers.get("hosting.known") else None


def fit(framework, answers):
    known = answers.get("hosting.known")
    if known is None:
        return None
    return 5 if framework.slug in known else 0


def includeme(config):
    config.add_criterion("portal_fixture_hosting:criterion.toml", need=need, fit=".fit")
