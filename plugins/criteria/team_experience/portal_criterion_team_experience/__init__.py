"""Criterion plugin: what the team already knows, rated by hooks from the client's answers."""


def includeme(config):
    config.add_criterion(
        "portal_criterion_team_experience:criterion.toml",
        need=".hooks.need",
        fit=".hooks.fit",
    )
