"""Criterion: the need for ready-made admin (back-office) screens for staff."""


def includeme(config):
    config.add_criterion("portal_criterion_admin_ui:criterion.toml")
