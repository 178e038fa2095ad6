"""The ``portal`` command: plugins, check, purge-drafts, new-secret, new-framework, new-criterion."""

from __future__ import annotations

import argparse
import secrets
import sys

from pyramid.paster import get_appsettings

from .plugins.check import check
from .plugins.files import display_path
from .validators import positive_int

KIND_TITLES = {"framework": "Frameworks", "criterion": "Criteria"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal", description="Advisory Portal administration.")
    commands = parser.add_subparsers(dest="command", required=True)

    plugins = commands.add_parser("plugins", help="list installed plugins, enabled or not, and problems")
    plugins.add_argument("ini", nargs="?", default="development.ini")

    checker = commands.add_parser("check", help="validate every installed plugin and the settings")
    checker.add_argument("ini", nargs="?", default="development.ini")
    checker.add_argument("--strict", action="store_true", help="exit 1 on warnings too")

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
    if args.command.startswith("new-"):
        from .scaffold import new_plugin

        return new_plugin(args.command.removeprefix("new-"), args.name, args.ini, args.output)
    try:
        settings = dict(get_appsettings(args.ini))
    except (FileNotFoundError, LookupError, ValueError) as error:
        print(f"portal: cannot read settings from {args.ini}: {error}", file=sys.stderr)
        return 2
    report = check(settings, display_path(args.ini))
    if args.command == "plugins":
        return _plugins(report)
    return _check(report, args.strict)


def _days(text: str) -> int:
    days = positive_int(text)
    if days is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days (1 or more)")
    return days


def _purge(ini: str, days: int) -> int:
    """Runs in its own transaction: all stale drafts go, or none."""
    from pyramid.paster import bootstrap
    from pyramid.request import Request

    from .assessments import purge_drafts

    try:
        # A writing request: its SQLite transaction takes the write lock up front.
        env = bootstrap(ini, request=Request.blank("/", method="POST"))
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


def _check(report, strict: bool) -> int:
    for problem in report.problems:
        print(f"{problem.level}: {problem}")
    count = sum(len(names) for names in report.installed.values())
    summary = f"{count} plugins checked: {len(report.errors)} errors, {len(report.warnings)} warnings"
    print(summary, file=sys.stderr)
    return 1 if report.errors or (strict and report.warnings) else 0


def _plugins(report) -> int:
    for kind, offers in report.installed.items():
        print(f"{KIND_TITLES[kind]}:")
        if not offers:
            print("  (none installed)")
        for name, dists in offers.items():
            for plugin in dists:
                state = "enabled" if name in report.enabled[kind] else "available"
                problems = report.problems_of(plugin.source.distribution)
                flag = f"  {len(problems)} problem(s)" if problems else ""
                print(
                    f"  {name:<20} {plugin.source.distribution:<36} {plugin.source.version:<10} {state}{flag}"
                )
    for problem in report.problems:
        print(f"{problem.level}: {problem}")
    return 1 if report.errors else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
