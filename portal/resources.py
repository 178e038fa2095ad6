"""The traversal tree. Each resource names itself, knows its parent and carries an ACL."""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow, Authenticated, Everyone
from pyramid.decorator import reify
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import bindparam, select

from .plugins import Criterion, Framework
from .security import Permissions, keep_link_private
from .validators import positive_int

PUBLIC_ACL = ((Allow, Everyone, Permissions.VIEW), DENY_ALL)
ADMIN = "role:admin"
CONSULTANT = "role:consultant"
CLIENT = "role:client"
# Administrators may do anything anywhere; every ACL below that ends in DENY_ALL says so first.
ADMIN_ACE = (Allow, ADMIN, ALL_PERMISSIONS)
STAFF_ACL = (
    ADMIN_ACE,
    (Allow, CONSULTANT, (Permissions.VIEW, Permissions.REVIEW, Permissions.ADVISE)),
    DENY_ALL,
)


class UnknownLink(HTTPNotFound):
    """An assessment link that opens nothing for this visitor: unknown, deleted, replaced or
    someone else's. One message for all, so a 404 says nothing about whether it exists."""

    def __init__(self):
        super().__init__(
            "No assessment opens at this link. It may have been deleted or given a new link; "
            "if you saved it to your account, sign in to open it."
        )


class Resource:
    __name__: str | None = None
    __parent__: Resource | None = None
    __acl__ = PUBLIC_ACL

    def __init__(self, parent: Resource | None = None, name: str | None = None):
        self.__parent__ = parent
        self.__name__ = name


class Root(Resource):
    """``/``: the home page; children are looked up by name."""

    __acl__ = (ADMIN_ACE, (Allow, Everyone, (Permissions.VIEW, Permissions.SIGN_IN)), DENY_ALL)

    def __init__(self, request):
        super().__init__(None, "")
        self.request = request

    def __getitem__(self, name: str) -> Resource:
        catalog = self.request.catalog
        if name == "frameworks":
            return FrameworkCatalog(self, name, catalog)
        if name == "criteria":
            return CriterionCatalog(self, name, catalog)
        if name == "assessments":
            return AssessmentContainer(self, name, self.request)
        if name == "account":
            return Account(self, name)
        if name == "consultant":
            return Workspace(self, name, self.request)
        if name == "admin":
            return AdminArea(self, name)
        raise KeyError(name)


class Account(Resource):
    """``/account``: the signed-in user's own account (password, API tokens, deletion)."""

    __acl__ = ((Allow, Authenticated, (Permissions.VIEW, Permissions.ACCOUNT)), DENY_ALL)


class AdminArea(Resource):
    """``/admin/``: plugins, weights and users."""

    __acl__ = (ADMIN_ACE, DENY_ALL)

    def __getitem__(self, name: str) -> Resource:
        if name == "users":
            return AdminUsers(self, name)
        raise KeyError(name)


class AdminUsers(Resource):
    """``/admin/users``: every account; children by user id."""

    __acl__ = (ADMIN_ACE, DENY_ALL)

    def __getitem__(self, name: str) -> AdminUser:
        number = positive_int(name)
        if number is None:
            raise KeyError(name)
        return AdminUser(self, name, number)


class AdminUser(Resource):
    """``/admin/users/<id>/``: one account's role and whether it may sign in."""

    __acl__ = (ADMIN_ACE, DENY_ALL)

    def __init__(self, parent, name, user_id: int):
        super().__init__(parent, name)
        self.user_id = user_id


class Workspace(Resource):
    """``/consultant/``: every assessment, for consultants and administrators.

    An assessment is named here by its row id, never by its private link, so the
    workspace shows no link that would open an anonymous assessment.
    """

    __acl__ = STAFF_ACL

    def __init__(self, parent, name, request):
        super().__init__(parent, name)
        self.request = request

    def __getitem__(self, name: str) -> Resource:
        if name == "assessments":
            return WorkspaceAssessments(self, name, self.request)
        raise KeyError(name)


class WorkspaceAssessments(Resource):
    """``/consultant/assessments/``: children by row id."""

    __acl__ = STAFF_ACL

    def __init__(self, parent, name, request):
        super().__init__(parent, name)
        self.request = request

    def __getitem__(self, name: str) -> WorkspaceAssessment:
        number = positive_int(name)
        if number is None:
            raise KeyError(name)
        return WorkspaceAssessment(self, name, self.request, number)


class WorkspaceAssessment(Resource):
    """``/consultant/assessments/<row id>/``: one assessment, its notes and decision."""

    __acl__ = STAFF_ACL

    def __init__(self, parent, name, request, row_id: int):
        super().__init__(parent, name)
        self.request = request
        self.row_id = row_id

    @reify
    def assessment(self):
        from .models import Assessment

        found = self.request.dbsession.get(Assessment, self.row_id)
        if found is None:
            raise HTTPNotFound()
        return found

    def __getitem__(self, name: str) -> Resource:
        if name == "revisions":
            return WorkspaceRevisions(self, name)
        raise KeyError(name)


class RevisionOf(Resource):
    """``…/<assessment>/revisions/<n>``: one immutable result of the assessment two levels up."""

    def __init__(self, parent, name, number: int):
        super().__init__(parent, name)
        self.number = number

    @property
    def assessment(self):
        return self.__parent__.__parent__.assessment

    @reify
    def revision(self):
        for revision in self.assessment.revisions:
            if revision.number == self.number:
                return revision
        raise HTTPNotFound()


class Revisions(Resource):
    """``…/<assessment>/revisions/``: children by revision number, of the class ``child``."""

    child: type[RevisionOf]

    def __getitem__(self, name: str) -> RevisionOf:
        number = positive_int(name)
        if number is None:
            raise KeyError(name)
        return self.child(self, name, number)


class WorkspaceRevision(RevisionOf):
    """``/consultant/assessments/<row id>/revisions/<n>``: one result, read-only."""

    __acl__ = STAFF_ACL


class WorkspaceRevisions(Revisions):
    __acl__ = STAFF_ACL
    child = WorkspaceRevision


class FrameworkCatalog(Resource):
    """``/frameworks/``: every enabled framework profile."""

    def __init__(self, parent, name, catalog):
        super().__init__(parent, name)
        self.catalog = catalog

    def __getitem__(self, slug: str) -> FrameworkResource:
        return FrameworkResource(self, slug, self.catalog.frameworks[slug])


class FrameworkResource(Resource):
    """``/frameworks/<slug>``: one profile."""

    def __init__(self, parent, name, framework: Framework):
        super().__init__(parent, name)
        self.framework = framework


class CriterionCatalog(Resource):
    """``/criteria/``: every enabled criterion."""

    def __init__(self, parent, name, catalog):
        super().__init__(parent, name)
        self.catalog = catalog

    def __getitem__(self, key: str) -> CriterionResource:
        return CriterionResource(self, key, self.catalog.criteria[key])


class CriterionResource(Resource):
    """``/criteria/<key>``: one criterion, its questions and how frameworks rate on it."""

    def __init__(self, parent, name, criterion: Criterion):
        super().__init__(parent, name)
        self.criterion = criterion


class Access(NamedTuple):
    """An assessment's row as the access check and the render cache see it."""

    id: int
    owner_id: int | None
    decision_version: int


# Built once: RowReads compiles each statement object once.
@cache
def _access_statement():
    from .models import Assessment

    columns = (Assessment.id, Assessment.owner_id, Assessment.decision_version)
    return select(*columns).where(Assessment.public_id == bindparam("public_id"))


def assessment_acl(assessment) -> tuple:
    """Who may do what with one assessment, through its private link.

    An anonymous one is opened by its unguessable link alone: whoever holds it may
    read and answer (DESIGN 6), and a signed-in client may save it to their account.
    An owned one is its owner's (and an administrator's): for anyone else, the link
    opens nothing, exactly as an unknown link (``views.errors``). Consultants read
    assessments in the workspace (``Workspace``), where no private link is shown.
    """
    if assessment.owner_id is None:
        return (
            ADMIN_ACE,
            (Allow, Everyone, (Permissions.VIEW, Permissions.EDIT)),
            (Allow, CLIENT, Permissions.CLAIM),
            DENY_ALL,
        )
    owner = f"user:{assessment.owner_id}"
    # CLAIM for the owner: claiming one's own again (a second click) is answered, not a 404.
    mine = (Permissions.VIEW, Permissions.EDIT, Permissions.OWN, Permissions.CLAIM)
    return (ADMIN_ACE, (Allow, owner, mine), DENY_ALL)


class AssessmentContainer(Resource):
    """``/assessments/``: POST creates; children are looked up by public id."""

    __acl__ = ((Allow, Everyone, (Permissions.VIEW, Permissions.CREATE)), DENY_ALL)

    def __init__(self, parent, name, request):
        super().__init__(parent, name)
        self.request = request

    def __getitem__(self, public_id: str) -> AssessmentResource:
        if not 16 <= len(public_id) <= 64:
            raise KeyError(public_id)
        return AssessmentResource(self, public_id, self.request)


class AssessmentResource(Resource):
    """``/assessments/<id>/``: one assessment, loaded only when a view needs it.

    Reaching it marks the response private (``security.keep_link_private``),
    whichever view or error page answers.

    A cached revision page is answered without touching the database, so the
    row is read lazily; a missing one is a 404 at that moment.
    """

    def __init__(self, parent, name, request):
        super().__init__(parent, name)
        self.request = request
        # Whatever answers this request from here on, an error page included.
        request.add_response_callback(keep_link_private)

    @property
    def __acl__(self):
        return assessment_acl(self.access)

    @reify
    def access(self) -> Access:
        """What the ACL and the render cache need: one indexed row, no ORM object.

        Read on the connection the thread keeps for these reads (``RowReads``), outside the
        request's transaction, for a write too: a cached revision page costs one small statement and
        no database session, and on SQLite a write's lock (``BEGIN IMMEDIATE``) is taken by
        its first statement, not held through the view's parsing and validation (that put
        the answer save's lock span from ~380 to ~470 µs). This is what PostgreSQL's READ
        COMMITTED gave a write anyway: a change of access between this read and the write
        is settled by the write's own statement (a claim is ``UPDATE … WHERE owner_id IS
        NULL``; a replaced or deleted link matches no row), and otherwise the write is as if
        it had come just before that change.
        """
        row = self.request.registry["dbreads"].first(_access_statement(), public_id=self.__name__)
        if row is None:
            raise UnknownLink()
        return Access(*row)

    @reify
    def assessment(self):
        from .models import Assessment

        found = self.request.dbsession.scalar(select(Assessment).where(Assessment.public_id == self.__name__))
        if found is None:
            raise UnknownLink()
        return found

    def __getitem__(self, name: str) -> Resource:
        if name == "revisions":
            return RevisionContainer(self, name)
        raise KeyError(name)


class RevisionResource(RevisionOf):
    """``/assessments/<id>/revisions/<n>``: one immutable result (the assessment's ACL)."""

    __acl__ = ()

    @property
    def public_id(self) -> str:
        return self.__parent__.__parent__.__name__

    @property
    def access(self) -> Access:
        return self.__parent__.__parent__.access


class RevisionContainer(Revisions):
    """``/assessments/<id>/revisions/``: the assessment's ACL, inherited."""

    __acl__ = ()
    child = RevisionResource
