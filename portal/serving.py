"""What serving with gunicorn adds to the ini: an access log that never holds a private link.

``gunicorn.conf.py`` at the top of the project names :class:`AccessLog`; waitress (the
inis' server) writes no access log. Every atom of a log line is masked: the request
line, the path, the referrer (the portal's own pages send it) and ``Location``.
"""

from __future__ import annotations

from urllib.parse import unquote

from gunicorn.glogging import Logger

from .security import mask_links


class AccessLog(Logger):
    def atoms(self, resp, req, environ, request_time):
        return {
            name: mask_links(unquote(value)) if isinstance(value, str) else value
            for name, value in super().atoms(resp, req, environ, request_time).items()
        }
