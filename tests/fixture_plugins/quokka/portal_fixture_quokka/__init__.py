"""Test fixture: a fictional framework profile, plus views that fail on purpose."""

from pyramid.response import Response
from pyramid.view import view_config

from portal.models import AuditEvent


def includeme(config):
    config.add_framework("portal_fixture_quokka:profile.toml")
    # Plugins may add views; this one raises so the tests can see a 500 page.
    config.scan()


@view_config(context="portal.resources.FrameworkResource", name="explode", request_method="GET")
@view_config(context="portal.resources.AssessmentResource", name="explode", request_method="GET")
def explode(context, request):
    raise RuntimeError("secret internal detail that must not reach a client")


@view_config(
    context="portal.resources.Root", name="write-then-return-error", request_method="POST", require_csrf=False
)
def write_then_return_error(context, request):
    request.dbsession.add(AuditEvent(link_digest="fixture", action="returned 400"))
    request.dbsession.flush()
    return Response("refused", status=400)


@view_config(
    context="portal.resources.Root", name="write-then-raise", request_method="POST", require_csrf=False
)
def write_then_raise(context, request):
    request.dbsession.add(AuditEvent(link_digest="fixture", action="raised"))
    request.dbsession.flush()
    raise RuntimeError("after writing")


@view_config(context="portal.resources.Root", name="conflict-once", request_method="POST", require_csrf=False)
def conflict_once(context, request):
    """On PostgreSQL: the first attempt meets a real serialization failure, a retry succeeds.

    The transaction reads the audit row "conflict" under REPEATABLE READ; on the first
    attempt another connection changes that row meanwhile, so this transaction's own
    update fails with SQLSTATE 40001, which pyramid_retry must retry.
    """
    from sqlalchemy import create_engine, text

    session = request.dbsession
    session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    session.execute(text("SELECT detail FROM audit_events WHERE link_digest = 'conflict'")).all()
    attempt = request.environ["retry.attempt"]
    if attempt == 0:
        other = create_engine(session.bind.url.render_as_string(hide_password=False))
        with other.begin() as connection:
            connection.execute(
                text("UPDATE audit_events SET action = 'meanwhile' WHERE link_digest = 'conflict'")
            )
        other.dispose()
    session.execute(
        text("UPDATE audit_events SET action = :a WHERE link_digest = 'conflict'"),
        {"a": f"attempt {attempt}"},
    )
    from portal.models import mark_written

    mark_written(session)
    return Response(f"done on attempt {attempt + 1}", content_type="text/plain")


@view_config(
    context="portal.resources.Root", name="attempts", request_method=("GET", "POST"), require_csrf=False
)
def attempts(context, request):
    """How many attempts pyramid_retry allows this request."""
    return Response(str(request.environ["retry.attempts"]), content_type="text/plain")
