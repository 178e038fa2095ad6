"""What ``pshell development.ini`` puts in the shell's namespace."""

from . import models


def setup(env) -> None:
    request = env["request"]
    # A transaction of your own: commit with tm.commit(), or it is rolled back.
    request.tm.begin()
    env["tm"] = request.tm
    env["dbsession"] = request.dbsession
    env["catalog"] = request.registry.portal_catalog
    env["models"] = models
