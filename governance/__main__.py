"""Command line: `python -m governance serve|migrate|openapi`."""

from __future__ import annotations

import argparse
import json
import sys

from governance import migrations
from governance.config import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m governance")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations (alembic upgrade head)")
    serve = sub.add_parser("serve", help="migrate, then run the service")
    serve.add_argument("--workers", type=int, default=1)
    openapi = sub.add_parser("openapi", help="print the OpenAPI document")
    openapi.add_argument("--output", default="-")
    args = parser.parse_args(argv)

    if args.command == "migrate":
        migrations.upgrade()
    elif args.command == "serve":
        import uvicorn

        settings = get_settings()
        migrations.upgrade()
        uvicorn.run("governance.main:create_app", factory=True, host=settings.host, port=settings.port, workers=args.workers)
    elif args.command == "openapi":
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


if __name__ == "__main__":
    sys.exit(main())
