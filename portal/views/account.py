"""``/account``: the signed-in user's own page."""

from __future__ import annotations

from sqlalchemy import select

from ..models import Assessment
from ..resources import Account
from ..security import Permissions
from .negotiation import html_view


def own_assessments(request) -> list[Assessment]:
    query = (
        select(Assessment)
        .where(Assessment.owner_id == request.identity.user_id)
        .order_by(Assessment.updated.desc())
    )
    return list(request.dbsession.scalars(query))


@html_view("account.jinja2", context=Account, permission=Permissions.ACCOUNT)
def account_page(context, request):
    return {"who": request.identity, "assessments": own_assessments(request)}
