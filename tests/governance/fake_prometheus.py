"""A loopback stand-in for Prometheus' /api/v1/rules, for the readiness check of loaded alert rules."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakePrometheus:
    def __init__(self, rules: list[str]) -> None:
        self.rules = rules
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps(
                    {
                        "status": "success",
                        "data": {"groups": [{"name": "g", "rules": [{"name": n, "type": "alerting"} for n in fake.rules]}]},
                    }
                ).encode()
                self.send_response(200 if self.path.startswith("/api/v1/rules") else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakePrometheus:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
