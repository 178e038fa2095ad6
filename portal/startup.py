"""The ini files' ``use = egg:advisory-portal``: the portal as pserve, gunicorn and pshell start it.

A configuration error (a setting, a broken plugin, two plugins claiming one name) stops
start-up with one line and the ``portal check`` hint, never a traceback, and exit status
2. :func:`portal.main` itself raises, for tests and ``make_app``.
"""

from __future__ import annotations

import sys

from pyramid.exceptions import (
    ConfigurationConflictError,
    ConfigurationError,
    ConfigurationExecutionError,
)

EXIT_STATUS = 2


def main(global_config, **settings):
    from . import main as build

    try:
        return build(global_config, **settings)
    except ConfigurationError as error:
        ini_file = (global_config or {}).get("__file__")
        stop(one_line(error), ini_file)


def one_line(error: ConfigurationError) -> str:
    """The error as one line: the portal's own errors already are one."""
    from .plugins.files import display_path

    if isinstance(error, ConfigurationExecutionError):
        # Raised inside a deferred action: what was raised, and where the action was made.
        cause, info = error.evalue, error.info
        if isinstance(cause, ConfigurationError):
            return one_line(cause)
        where = f"{display_path(info.file)}, line {info.line}" if info else "a configuration action"
        return f"{type(cause).__name__}: {' '.join(str(cause).split())} (in {where})"
    if isinstance(error, ConfigurationConflictError):
        claims = [
            f"{discriminator} is claimed by "
            + " and by ".join(f"{' '.join(info.src.split())} ({display_path(info.file)})" for info in infos)
            for discriminator, infos in error._conflicts.items()
        ]
        return "conflict: " + "; ".join(claims)
    return " ".join(str(error).split())


def stop(line: str, ini_file: str | None) -> None:
    from .plugins.files import display_path

    ini = f" {display_path(ini_file)}" if ini_file else ""
    message = f"portal: {line}\nportal: run `portal check{ini}` to see every problem"
    if "gunicorn.arbiter" in sys.modules:
        # In a gunicorn worker an exit would only make the master start another one.
        from .serving import ConfigurationStop

        raise ConfigurationStop(message)
    print(message, file=sys.stderr)
    raise SystemExit(EXIT_STATUS)


def check_in_gunicorn_master(application) -> None:
    """``gunicorn.conf.py``'s ``on_starting``: build the portal once in the master, and drop it.

    ``application`` is gunicorn's own (``server.app``): its ``load()`` builds the portal as
    each worker will, from the same ini and ``--paste-global`` values, without keeping it (a
    worker still builds its own). A configuration error then stops gunicorn with the one line
    and exit status 2 before any worker starts. Left to the workers, each fails alike, and
    gunicorn prints a traceback of its own when a second worker exits while the master halts
    for the first (seen with gunicorn 27 in CI). Building touches no database.
    """
    from .serving import ConfigurationStop

    try:
        application.load()
    except ConfigurationStop as error:
        print(error, file=sys.stderr)
        raise SystemExit(EXIT_STATUS) from None
