"""``/admin/``: the plugins and weights in effect (read-only: they live in the ini file), and users.

The plugin table is what ``portal plugins`` and ``portal check`` report: the same ``check``
over every installed plugin, computed once per running portal (at the page's first request,
not on every one: plugins and settings take effect only with a restart) and kept in the
registry; the page says when it was checked. Users: change a role, deactivate an account
(``auth.deactivate``: its sessions end, its API tokens are revoked) or reactivate it (it signs
in again with the password it had; no old session or token comes back). An
administrator cannot demote or deactivate themselves, so the portal always keeps the one who
is making the change.
"""

from __future__ import annotations

import threading
from typing import Any

from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound, HTTPSeeOther
from pyramid.renderers import render_to_response
from sqlalchemy import select

from ..auth import deactivate as deactivate_account
from ..models import User
from ..models.assessment import utcnow
from ..plugins.check import check
from ..plugins.listing import KIND_TITLES, _weight, _weights
from ..plugins.report_json import finding
from ..resources import AdminArea, AdminUser, AdminUsers
from ..roles import Roles
from ..security import Permissions
from ..settings import settings_file
from .inputs import action_body, body
from .negotiation import action_view, html_view

_TABLE_LOCK = threading.Lock()
_TABLE_KEY = "portal.admin_plugin_table"


def plugin_table(registry) -> dict[str, Any]:
    """The plugin table: ``check(settings, every=True)`` as ``portal plugins`` runs it, made at the
    page's first request in this process and kept (with the time it was checked) until a restart."""
    table = registry.get(_TABLE_KEY)
    if table is None:
        with _TABLE_LOCK:
            table = registry.get(_TABLE_KEY)
            if table is None:
                table = registry[_TABLE_KEY] = _plugin_table(dict(registry.settings))
    return table


def _plugin_table(settings: dict) -> dict[str, Any]:
    origin = settings_file(settings.get("portal.ini_file"))
    checked = utcnow()
    report = check(settings, origin, every=True)
    weights = _weights(report, settings, origin)
    kinds = []
    for kind, offers in report.installed.items():
        rows = []
        for name, dists in offers.items():
            for plugin in dists:
                distribution = plugin.source.distribution
                on = name in report.enabled[kind]
                rows.append(
                    {
                        "name": name,
                        "distribution": distribution,
                        "version": plugin.source.version,
                        "enabled": on,
                        "weight": _weight(report, name, weights) if kind == "criterion" and on else "",
                        "problems": [
                            finding(p, report.settings_file) for p in report.problems_of(distribution)
                        ],
                    }
                )
        kinds.append({"title": KIND_TITLES[kind], "rows": rows})
    named = {row["distribution"] for kind in kinds for row in kind["rows"]}
    # Problems of the settings, of two plugins at once, or of no one plugin.
    general = [finding(p, report.settings_file) for p in report.problems if p.origin not in named]
    return {
        "kinds": kinds,
        "general": general,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "ini_file": report.settings_file,
        "checked": checked,
    }


def plugins_data(request) -> dict[str, Any]:
    weights_in_effect = [
        {
            "key": key,
            "title": criterion.title,
            "weight": criterion.weight,
            "default": criterion.definition.default_weight,
        }
        for key, criterion in sorted(request.catalog.criteria.items())
    ]
    return {**plugin_table(request.registry), "weights": weights_in_effect}


@html_view("admin_index.jinja2", context=AdminArea, permission=Permissions.ADMINISTER)
def admin_index(context, request):
    return plugins_data(request)


# --- Users -----------------------------------------------------------------------------------


def users_data(request, errors: dict[str, str] | None = None, notice: str | None = None) -> dict[str, Any]:
    users = request.dbsession.scalars(select(User).order_by(User.created, User.id)).all()
    return {
        "users": users,
        "roles": list(Roles),
        "me": request.identity.user_id,
        "errors": errors or {},
        "notice": notice,
    }


def _refused(request, message: str, user_id: int):
    response = render_to_response(
        "admin_users.jinja2", users_data(request, {f"user-{user_id}": message}), request=request
    )
    response.status_int = 400
    return response


def _the_user(context, request) -> User:
    if request.identity.token_id is not None:
        # A leaked token must not hand out roles: users are changed from a signed-in browser.
        raise HTTPForbidden("Change users from a signed-in browser, not with an API token.")
    user = request.dbsession.get(User, context.user_id)
    if user is None:
        raise HTTPNotFound("No user has that number.")
    return user


@html_view("admin_users.jinja2", context=AdminUsers, permission=Permissions.ADMINISTER)
def users_page(context, request):
    notice = {
        "role": "The role is changed.",
        "deactivated": "The account is deactivated.",
        "reactivated": "The account is active again: it can sign in with its password.",
    }
    return users_data(request, notice=notice.get(request.GET.get("done", "")))


@action_view(context=AdminUser, name="role", permission=Permissions.ADMINISTER)
def change_role(context, request):
    user = _the_user(context, request)
    _kind, data = body(request)
    raw = data.get("role")
    if not isinstance(raw, str) or raw not in {role.value for role in Roles}:
        return _refused(request, f"Choose a role for {user.email}: {', '.join(Roles)}.", user.id)
    if user.id == request.identity.user_id and raw != user.role:
        message = "You cannot change your own role: another administrator has to."
        return _refused(request, message, user.id)
    user.role = raw
    return HTTPSeeOther(request.application_url + "/admin/users?done=role")


@action_view(context=AdminUser, name="deactivate", permission=Permissions.ADMINISTER)
def deactivate(context, request):
    user = _the_user(context, request)
    action_body(request)
    if user.id == request.identity.user_id:
        message = "You cannot deactivate your own account: another administrator has to."
        return _refused(request, message, user.id)
    deactivate_account(request.dbsession, user)
    return HTTPSeeOther(request.application_url + "/admin/users?done=deactivated")


@action_view(context=AdminUser, name="reactivate", permission=Permissions.ADMINISTER)
def reactivate(context, request):
    user = _the_user(context, request)
    action_body(request)
    # Its sessions ended with the deactivation (the session version was raised), so the
    # account starts with none: the user signs in again.
    user.active = True
    return HTTPSeeOther(request.application_url + "/admin/users?done=reactivated")
