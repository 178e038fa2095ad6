"""The traversal tree. Each resource names itself, knows its parent and carries an ACL."""

from __future__ import annotations

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow, Everyone
from pyramid.decorator import reify
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import select

from .plugins import Criterion, Framework
from .security import Permissions, keep_link_private
from .validators import positive_int

PUBLIC_ACL = ((Allow, Everyone, Permissions.VIEW), DENY_ALL)


class Resource:
    __name__: str | None = None
    __parent__: Resource | None = None
    __acl__ = PUBLIC_ACL

    def __init__(self, parent: Resource | None = None, name: str | None = None):
        self.__parent__ = parent
        self.__name__ = name


class Root(Resource):
    """``/``: the home page; children are looked up by name."""

    __acl__ = ((Allow, "role:admin", ALL_PERMISSIONS), *PUBLIC_ACL)

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
        raise KeyError(name)


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


# Anonymous assessments are opened by their unguessable link alone: whoever holds
# the link may read and answer (DESIGN 6). Owned assessments come with accounts.
LINK_HOLDER_ACL = (
    (Allow, Everyone, (Permissions.VIEW, Permissions.EDIT)),
    DENY_ALL,
)


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

    __acl__ = LINK_HOLDER_ACL

    def __init__(self, parent, name, request):
        super().__init__(parent, name)
        self.request = request
        # Whatever answers this request from here on, an error page included.
        request.add_response_callback(keep_link_private)

    @reify
    def assessment(self):
        from .models import Assessment

        found = self.request.dbsession.scalar(select(Assessment).where(Assessment.public_id == self.__name__))
        if found is None:
            raise HTTPNotFound()
        return found

    def __getitem__(self, name: str) -> Resource:
        if name == "revisions":
            return RevisionContainer(self, name)
        raise KeyError(name)


class RevisionContainer(Resource):
    """``/assessments/<id>/revisions/``."""

    __acl__ = LINK_HOLDER_ACL

    def __getitem__(self, name: str) -> RevisionResource:
        number = positive_int(name)
        if number is None:
            raise KeyError(name)
        return RevisionResource(self, name, number)


class RevisionResource(Resource):
    """``/assessments/<id>/revisions/<n>``: one immutable result."""

    __acl__ = LINK_HOLDER_ACL

    def __init__(self, parent, name, number: int):
        super().__init__(parent, name)
        self.number = number

    @property
    def public_id(self) -> str:
        return self.__parent__.__parent__.__name__

    @property
    def assessment(self):
        return self.__parent__.__parent__.assessment

    @reify
    def revision(self):
        for revision in self.assessment.revisions:
            if revision.number == self.number:
                return revision
        raise HTTPNotFound()
