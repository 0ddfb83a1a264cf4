"""Command line: `python -m governance serve|migrate|openapi`."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import socket
import sys
from dataclasses import asdict
from pathlib import Path

from governance import migrations
from governance.audit.service import Actor
from governance.config import get_settings
from governance.logs import log_config
from governance.staff.models import ROLES


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return COMMANDS[args.command](args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m governance")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations (alembic upgrade head)")
    serve = sub.add_parser("serve", help="migrate, then run the service")
    serve.add_argument("--workers", type=int, default=1)
    openapi = sub.add_parser("openapi", help="print the OpenAPI document")
    openapi.add_argument("--output", default="-")
    user = sub.add_parser("user", help="staff accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="create an account; prints its bearer token as the last line")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--hours", type=float, default=None, help="token lifetime (default GOV_STAFF_TOKEN_HOURS)")
    add.add_argument(
        "--scope",
        default=None,
        help="comma-separated permissions the token is limited to, within its role (for a machine: e.g. review)",
    )
    rotate = user_sub.add_parser("rotate", help="a new token for an account; the old one stops working")
    rotate.add_argument("--id", required=True)
    rotate.add_argument("--hours", type=float, default=None, help="token lifetime (default GOV_STAFF_TOKEN_HOURS)")
    user_sub.add_parser("list", help="list accounts")
    disable = user_sub.add_parser("disable", help="revoke an account's token")
    disable.add_argument("--id", required=True)
    audit_cmd = sub.add_parser("audit", help="the audit log")
    audit_sub = audit_cmd.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="recompute the hash chain; exit 1 when it is broken")
    retention = sub.add_parser("retention", help="retention terms")
    retention_sub = retention.add_subparsers(dest="retention_command", required=True)
    retention_sub.add_parser("run", help="delete what is past its retention term now; prints the counts")
    register = sub.add_parser("register", help="write the Algoritmeregister export and the DPIA and IAMA drafts")
    register.add_argument("--output", default="var/register", help="folder for the files")
    register.add_argument("--submit", action="store_true", help="also send the entry to GOV_REGISTER_API_URL")
    ready = sub.add_parser("readiness", help="the readiness check of the guide, with evidence")
    ready.add_argument("--json", action="store_true")
    ready.add_argument("--strict", action="store_true", help="exit 1 when a check is red")
    return parser


def _retention(args: argparse.Namespace) -> int:
    from governance.main import build_runtime
    from governance.rights.retention import run_retention

    migrations.upgrade()
    runtime = build_runtime(get_settings())
    print(json.dumps(asdict(run_retention(runtime))))
    runtime.engine.dispose()
    return 0


def _migrate(args: argparse.Namespace) -> int:
    migrations.upgrade()
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from governance.serving import uvicorn_options

    os.umask(0o077)  # databases, WAL files, spool and logs: readable by this user only
    settings = get_settings()
    migrations.upgrade()
    _clear_multiprocess_metrics()
    uvicorn.run(
        "governance.main:create_app",
        factory=True,
        **uvicorn_options(settings),
        workers=args.workers,
        log_config=log_config(settings.log_level),
        # SIGTERM: stop accepting, let in-flight turns finish (a turn waits at most the Rasa time-out),
        # then close what is left — open event streams would otherwise keep the process alive forever
        timeout_graceful_shutdown=settings.rasa_timeout_seconds + 5,
    )
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from governance.main import create_app

    app = create_app()
    api = next(r.app for r in app.routes if getattr(r, "path", "") == "/api/v1")
    text = json.dumps(api.openapi(), indent=2, ensure_ascii=False)
    if args.output == "-":
        print(text)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return 0


def _clear_multiprocess_metrics() -> None:
    """Several workers share their metrics through files in PROMETHEUS_MULTIPROC_DIR. Files of an earlier run
    would be added to this run's counters (prometheus-client asks for an empty directory at start)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for leftover in path.glob("*.db"):
        leftover.unlink()


def _compliance(args: argparse.Namespace) -> int:
    import asyncio

    from governance.main import build_runtime
    from register import algoritmeregister, assessments, facts, readiness
    from register.document import to_html, to_markdown
    from register.validation import violations

    migrations.upgrade()
    settings = get_settings()
    runtime = build_runtime(settings)
    try:
        with runtime.session_factory() as session:
            live = asyncio.run(facts.gather(session, runtime))
            if args.command == "readiness":
                checks = readiness.run_checks(session, runtime, live)
                if args.json:
                    print(json.dumps([c.as_dict() for c in checks], ensure_ascii=False, indent=2))
                else:
                    marks = {"green": "GROEN ", "amber": "ORANJE", "red": "ROOD  "}
                    for c in checks:
                        print(f"{marks[c.status]} {c.step}. {c.title} [{c.requirement}]\n         {c.evidence}")
                        if c.next_step:
                            print(f"         -> {c.next_step}")
                    print(json.dumps(readiness.summary(checks)))
                return 1 if args.strict and any(c.status == "red" for c in checks) else 0
            entry = algoritmeregister.export(live)
    finally:
        asyncio.run(runtime.bot.close())
        runtime.engine.dispose()
    problems = violations(entry)
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "algoritmeregister.json").write_text(json.dumps(entry, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for name, build in (("dpia", assessments.dpia), ("iama", assessments.iama)):
        document = build(live)
        (output / f"{name}.md").write_text(to_markdown(document), encoding="utf-8")
        (output / f"{name}.html").write_text(to_html(document), encoding="utf-8")
    print(f"wrote algoritmeregister.json, dpia.md/.html and iama.md/.html to {output}")
    if problems:
        print("the export breaks the publication standard:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    if args.submit:
        from register.submit import RequestPacer, SubmitError, submit

        try:
            result = submit(
                entry,
                base_url=settings.register_api_url,
                token=settings.register_api_token.get_secret_value(),
                organisation=settings.register_organisation_code,
                limiter=RequestPacer(),
            )
        except SubmitError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"submitted: {result.method} {result.url} -> {result.status}")
    return 0


def _cli_actor() -> Actor:
    """Account changes from the command line are audited too, with the operating-system user as actor."""
    user = getpass.getuser()
    return Actor(id=f"cli:{user}"[:40], name=user, role="cli", origin=f"cli@{socket.gethostname()}")


def _session():
    from governance.db import make_engine, make_session_factory

    migrations.upgrade()
    engine = make_engine(get_settings().database_url)
    return make_session_factory(engine)()


def _user(args: argparse.Namespace) -> int:
    from governance.staff import service
    from governance.staff.models import StaffAccount

    with _session() as session:
        if args.user_command == "add":
            try:
                account, token = service.create_account(
                    session, _cli_actor(), name=args.name, role=args.role, token_hours=_token_hours(args), scopes=args.scope
                )
            except service.UnknownScope as error:
                print(f"error: --scope: {error} is not a permission of the role {args.role}", file=sys.stderr)
                return 2
            except ValueError:
                print("error: --name is empty", file=sys.stderr)
                return 2
            print(f"created {account.role} account {account.id} for {account.name}; keep this token secret:")
            print(f"(valid until {account.token_expires_at:%Y-%m-%d %H:%M} UTC)", file=sys.stderr)
            print(token)
        elif args.user_command == "list":
            for account in service.list_accounts(session):
                status = "active" if account.active else "disabled"
                kind = "oidc" if account.oidc_subject else f"token:{account.token_scopes or 'role'}"
                print(f"{account.id}\t{account.role}\t{status}\t{kind}\t{account.name}")
        elif args.user_command == "rotate":
            account = session.get(StaffAccount, args.id)
            if account is None or not account.active:
                print(f"error: no active account {args.id}", file=sys.stderr)
                return 1
            token = service.rotate_token(session, _cli_actor(), account, token_hours=_token_hours(args))
            print(
                f"new token for {account.id}; the old one no longer works (valid until "
                f"{account.token_expires_at:%Y-%m-%d %H:%M} UTC):",
                file=sys.stderr,
            )
            print(token)
        elif args.user_command == "disable":
            account = session.get(StaffAccount, args.id)
            if account is None:
                print(f"error: no account {args.id}", file=sys.stderr)
                return 1
            service.disable_account(session, _cli_actor(), account)
            print(f"disabled {account.id}")
    return 0


def _token_hours(args: argparse.Namespace) -> float:
    return args.hours if args.hours and args.hours > 0 else get_settings().staff_token_hours


def _audit(args: argparse.Namespace) -> int:
    from governance.audit import service as audit

    with _session() as session:
        result = audit.verify(session)
    print(json.dumps(result.__dict__))
    return 0 if result.valid else 1


COMMANDS = {
    "migrate": _migrate,
    "serve": _serve,
    "openapi": _openapi,
    "user": _user,
    "audit": _audit,
    "retention": _retention,
    "register": _compliance,
    "readiness": _compliance,
}


if __name__ == "__main__":
    sys.exit(main())
