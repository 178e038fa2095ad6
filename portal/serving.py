"""What serving with gunicorn adds to the ini: an access log that never holds a private link,
and a configuration error that stops gunicorn instead of respawning workers.

``gunicorn.conf.py`` at the top of the project names :class:`AccessLog`; waitress (the
inis' server) writes no access log. Every atom of a log line is masked: the request
line, the path, the referrer (the portal's own pages send it) and ``Location``.
"""

from __future__ import annotations

from urllib.parse import unquote

from gunicorn.errors import AppImportError
from gunicorn.glogging import Logger

from .security import mask_links


class AccessLog(Logger):
    def atoms(self, resp, req, environ, request_time):
        return {
            name: mask_links(unquote(value)) if isinstance(value, str) else value
            for name, value in super().atoms(resp, req, environ, request_time).items()
        }


class ConfigurationStop(AppImportError, RuntimeError):
    """A configuration error, raised by ``portal.startup`` where gunicorn loads the app.

    With the project's ``gunicorn.conf.py`` the master meets it first, before any worker
    starts (``portal.startup.check_in_gunicorn_master``). Without it a worker prints an
    ``AppImportError`` without a traceback and exits so that the master halts ("App failed
    to load."); with ``--preload`` the master itself prints a ``RuntimeError`` and exits 1.
    Any other exit of a worker only gets it started again.
    """
