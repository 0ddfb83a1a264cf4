"""A loopback stand-in for Prometheus' /api/v1/rules, for the readiness check of loaded alert rules."""

from __future__ import annotations

from tests.loopback import LoopbackServer, QuietHandler


class FakePrometheus:
    def __init__(self, rules: list[str]) -> None:
        self.rules = rules
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                groups = [{"name": "g", "rules": [{"name": n, "type": "alerting"} for n in fake.rules]}]
                status = 200 if self.path.startswith("/api/v1/rules") else 404
                self.send_json(status, {"status": "success", "data": {"groups": groups}})

        self._handler = Handler
        self.url = ""

    def __enter__(self) -> FakePrometheus:
        self._server = LoopbackServer(self._handler)
        self.url = self._server.url
        return self

    def __exit__(self, *exc) -> None:
        self._server.close()
