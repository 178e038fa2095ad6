"""The ``portal`` command: plugins, check, purge-drafts, new-secret, db, new-…, accounts."""

from __future__ import annotations

import argparse
import secrets
import sys

from pyramid.paster import get_appsettings

from .plugins.check import check
from .settings import settings_file
from .validators import positive_int


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal", description="Advisory Portal administration.")
    commands = parser.add_subparsers(dest="command", required=True)

    plugins = commands.add_parser(
        "plugins", help="list installed plugins: enabled, disabled or broken, versions, weights"
    )
    plugins.add_argument("ini", nargs="?", default="development.ini")

    checker = commands.add_parser("check", help="validate the enabled plugins and the settings")
    checker.add_argument("ini", nargs="?", default="development.ini")
    checker.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    checker.add_argument("--all", action="store_true", help="check every installed plugin, disabled ones too")
    checker.add_argument(
        "--format", choices=("text", "json"), default="text", help="json: the findings for editors and CI"
    )

    purge = commands.add_parser("purge-drafts", help="delete anonymous drafts nobody touched for DAYS days")
    purge.add_argument("ini", nargs="?", default="development.ini")
    purge.add_argument("--older-than", type=_days, required=True, metavar="DAYS")

    commands.add_parser("new-secret", help="print a fresh random secret for PORTAL_SECRET")

    database = commands.add_parser("db", help="migrate the database: the core's tables and the plugins'")
    steps = database.add_subparsers(dest="db_command", required=True)
    up = steps.add_parser("upgrade", help="the core's migrations, then every enabled plugin's, to head")
    up.add_argument("ini", nargs="?", default="development.ini")
    down = steps.add_parser("downgrade", help="one plugin's tables to REVISION (base removes them)")
    down.add_argument("ini", nargs="?", default="development.ini")
    down.add_argument("plugin")
    down.add_argument("revision")

    create_user = commands.add_parser(
        "create-user", help="add an account (password: prompt or PORTAL_PASSWORD)"
    )
    create_user.add_argument("email")
    create_user.add_argument("--role", required=True, metavar="client|consultant|admin")
    create_user.add_argument("--name", default="", help="the display name")
    create_user.add_argument("ini", nargs="?", default="development.ini")
    set_role = commands.add_parser("set-role", help="change an account's role")
    set_role.add_argument("email")
    set_role.add_argument("role", metavar="client|consultant|admin")
    set_role.add_argument("ini", nargs="?", default="development.ini")
    deactivate = commands.add_parser("deactivate", help="stop an account signing in")
    deactivate.add_argument("email")
    deactivate.add_argument("ini", nargs="?", default="development.ini")
    reactivate = commands.add_parser("reactivate", help="let a deactivated account sign in again")
    reactivate.add_argument("email")
    reactivate.add_argument("ini", nargs="?", default="development.ini")
    reset = commands.add_parser("reset-password", help="print a one-time link that sets a new password")
    reset.add_argument("email")
    reset.add_argument("ini", nargs="?", default="development.ini")
    samples = commands.add_parser(
        "sample-users", help="on a portal without users, make one per role and print their passwords once"
    )
    samples.add_argument("ini", nargs="?", default="development.ini")

    for kind, name in (("framework", "SLUG"), ("criterion", "KEY")):
        new = commands.add_parser(f"new-{kind}", help=f"write a new {kind} plugin distribution to fill in")
        new.add_argument("name", metavar=name)
        new.add_argument("ini", nargs="?", help="the settings that enable plugins (default: development.ini)")
        new.add_argument("--output", metavar="DIR", help="default: plugins/… in a checkout, else ./portal-…")

    args = parser.parse_args(argv)
    if args.command == "new-secret":
        print(secrets.token_urlsafe(48))
        return 0
    if args.command == "purge-drafts":
        return _purge(args.ini, args.older_than)
    if args.command == "db":
        from .models import migrations

        if args.db_command == "upgrade":
            return migrations.upgrade_command(args.ini)
        return migrations.downgrade_command(args.ini, args.plugin, args.revision)
    if args.command in ("create-user", "set-role", "deactivate", "reactivate"):
        from .accounts import run

        return run(
            args.ini,
            args.command,
            args.email,
            role=getattr(args, "role", None),
            name=getattr(args, "name", ""),
        )
    if args.command in ("reset-password", "sample-users"):
        from . import account_commands

        if args.command == "reset-password":
            return account_commands.reset_password(args.ini, args.email)
        return account_commands.sample_users(args.ini)
    if args.command.startswith("new-"):
        from .scaffold import new_plugin

        return new_plugin(args.command.removeprefix("new-"), args.name, args.ini, args.output)
    try:
        settings = dict(get_appsettings(args.ini))
    except (FileNotFoundError, LookupError, ValueError) as error:
        print(f"portal: cannot read settings from {args.ini}: {error}", file=sys.stderr)
        return 2
    origin = settings_file(args.ini)
    if args.command == "plugins":
        from .plugins.listing import plugin_lines

        report = check(settings, origin, every=True)
        print("\n".join(plugin_lines(report, settings, origin)))
        return 1 if report.errors else 0
    report = check(settings, origin, every=args.all)
    return _check(report, args.strict, args.all, args.format)


def _days(text: str) -> int:
    days = positive_int(text)
    if days is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days (1 or more)")
    return days


def _purge(ini: str, days: int) -> int:
    """Runs in its own transaction: all stale drafts go, or none."""
    from pyramid.paster import bootstrap

    from .assessments import purge_drafts
    from .request import PortalRequest

    try:
        # A writing request: its SQLite transaction takes the write lock up front.
        env = bootstrap(ini, request=PortalRequest.blank("/", method="POST"))
    except FileNotFoundError as error:
        print(f"portal: cannot read settings from {ini}: {error}", file=sys.stderr)
        return 2
    try:
        with env["request"].tm:
            count = purge_drafts(env["request"].dbsession, days)
    finally:
        env["closer"]()
    print(f"deleted {count} draft(s) untouched for {days} day(s) or more")
    return 0


def _check(report, strict: bool, every: bool, output: str = "text") -> int:
    count = sum(len(report.installed[kind] if every else report.enabled[kind]) for kind in report.installed)
    if output == "json":
        from .plugins.report_json import as_json

        print(as_json(report, count))
    else:
        for problem in report.problems:
            print(f"{problem.level}: {problem}")
    summary = f"{count} plugins checked: {len(report.errors)} errors, {len(report.warnings)} warnings"
    print(summary, file=sys.stderr)
    return 1 if report.errors or (strict and report.warnings) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
