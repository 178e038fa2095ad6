"""Health endpoints for load balancers and monitors: the process, and the database.

``/healthz`` answers as long as the process can answer at all; ``/readyz`` only
when the database answers and its schema is at the migrations' head: the core's
and every enabled plugin's. Both answer any ``Host`` (``portal.guards``) and are
never cached.
"""

from __future__ import annotations

from pyramid.response import Response
from sqlalchemy.exc import SQLAlchemyError

from ..models import READS_ONLY
from ..models.migrations import applied_revisions, head_revisions, plugin_status, script_location
from ..plugins.migrations import registered
from ..resources import Root
from ..security import Permissions
from .negotiation import GET, action_view


def health_response(body: dict, status: int = 200) -> Response:
    response = Response(json_body=body, status=status)
    response.cache_control = "no-store"
    return response


@action_view(request_method=GET, context=Root, name="healthz", permission=Permissions.VIEW)
def healthz(context, request):
    return health_response({"status": "ok"})


@action_view(request_method=GET, context=Root, name="readyz", permission=Permissions.VIEW)
def readyz(context, request):
    registry = request.registry
    heads = registry.get("portal.migration_heads")
    if heads is None:
        heads = registry["portal.migration_heads"] = head_revisions(
            script_location(registry.settings.get("portal.ini_file"))
        )
    plugins = list(registered(registry).values())
    plugin_heads = registry.get("portal.plugin_migration_heads")
    if plugin_heads is None:
        plugin_heads = registry["portal.plugin_migration_heads"] = {p.name: p.heads() for p in plugins}
    try:
        # A read: on SQLite it must not queue for the write lock.
        with registry["dbengine"].execution_options(**{READS_ONLY: True}).connect() as connection:
            applied = applied_revisions(connection)
            own = plugin_status(connection, plugins, plugin_heads)
    except SQLAlchemyError:
        return health_response({"status": "not ready", "database": "unreachable"}, 503)
    migrations = {"applied": sorted(applied), "head": sorted(heads), "plugins": own}
    body = {"database": "ok", "migrations": migrations}
    behind = [name for name, status in own.items() if status["applied"] != status["head"]]
    if not heads or applied != heads or behind:
        return health_response({"status": "not ready", **body}, 503)
    return health_response({"status": "ready", **body})
