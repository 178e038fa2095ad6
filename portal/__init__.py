"""Advisory Portal: the WSGI application factory."""

from __future__ import annotations

from pyramid.config import Configurator


def main(global_config, **settings):
    """Build the portal from an ini file's settings (tests, ``make_app``).

    A configuration error raises (``ConfigurationError``); ``pserve`` and gunicorn start
    the portal through ``portal.startup.main``, which turns it into one line.
    """
    # Imported here so that importing a light submodule, such as the pytest
    # plugin ``portal.testing`` (loaded before coverage starts), loads no more.
    from .plugins import include_enabled
    from .request import use_portal_request
    from .settings import apply_environment, settings_file

    ini_file = global_config.get("__file__") if global_config else None
    origin = settings_file(ini_file)
    settings = apply_environment(settings, origin)
    # The migrations /readyz compares the database with are the ini file's.
    settings["portal.ini_file"] = ini_file
    with Configurator(settings=settings, root_factory="portal.resources.Root") as config:
        # request.tm, .dbsession, .csrf_token, .mailer and .catalog: one request class.
        use_portal_request(config)
        # Templates: Jinja2 with autoescaping, from portal/templates.
        config.include(".templates")
        # request.dbsession, owned by pyramid_tm; pyramid_retry on conflicts.
        config.include(".models")
        # Permissions, the ACL security policy, sessions and CSRF.
        config.include(".security")
        # Per-address limits, counted in the database (new assessments).
        config.include(".throttle")
        # Outgoing mail (address confirmation, password reset): SMTP, or files in a folder.
        config.include(".mail")
        # Security headers on every response (CSP, framing, nosniff, referrer).
        config.include(".headers")
        # Refuse invalid UTF-8, malformed forms and oversized bodies before any view runs.
        config.include(".guards")
        # The plugin directives and the empty catalog.
        config.include(".plugins")
        # Every plugin the settings enable; each registers through the directives.
        include_enabled(config, origin)
        # The core's own views, then everything is committed (conflicts surface here).
        config.include(".views")
    return config.make_wsgi_app()
