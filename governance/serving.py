"""How uvicorn serves the app, in one place for `python -m governance serve` and the tests' live server.

uvicorn trusts X-Forwarded-For from 127.0.0.1 by default: any local client could then choose its own audit
origin and rate-limit key. Only the addresses in `forwarded_allow_ips` (the reverse proxy) are trusted.
"""

from __future__ import annotations

from typing import Any

from governance.config import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    trusted = ",".join(a.strip() for a in settings.forwarded_allow_ips.split(",") if a.strip())
    return {
        "host": settings.host,
        "port": settings.port,
        "proxy_headers": bool(trusted),
        # uvicorn reads FORWARDED_ALLOW_IPS itself when this is None: give it explicitly, always
        "forwarded_allow_ips": trusted,
        "server_header": False,
    }
