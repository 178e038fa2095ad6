"""Test fixture: a fictional framework profile, plus a view that fails on purpose."""

from pyramid.view import view_config


def includeme(config):
    config.add_framework("portal_fixture_quokka:profile.toml")
    # Plugins may add views; this one raises so the tests can see a 500 page.
    config.scan()


@view_config(context="portal.resources.FrameworkResource", name="explode", request_method="GET")
def explode(context, request):
    raise RuntimeError("secret internal detail that must not reach a client")
