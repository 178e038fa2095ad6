"""The traversal tree. Each resource names itself, knows its parent and carries an ACL."""

from __future__ import annotations

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow, Everyone

from .plugins import Criterion, Framework
from .security import Permissions

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
