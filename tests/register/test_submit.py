"""--submit against a local stand-in for the aanlever-API that enforces 25 requests a minute: the client
stays under the limit by itself, honours a 429, and sends the entry unchanged (POST new, PUT with lars)."""

from __future__ import annotations

import httpx
import pytest

from register.submit import RequestPacer, SubmitError, submit
from tests.loopback import LoopbackServer, QuietHandler

ENTRY = {"name": "Digitale assistent", "lang": "nld"}


class FakeClock:
    """Shared by the client's limiter and the fake API, so a minute passes in no time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


class FakeAanleverApi:
    def __init__(self, clock: FakeClock, limit: int = 25, force_429: int = 0) -> None:
        self.clock = clock
        self.requests: list[tuple[str, str, dict, float]] = []
        self.refused = 0
        self.force_429 = force_429
        api = self

        class Handler(QuietHandler):
            def _handle(self) -> None:
                body = self.read_json()
                recent = [r for r in api.requests if r[3] > api.clock() - 60]
                if api.force_429 or len(recent) >= limit:
                    api.force_429 = max(0, api.force_429 - 1)
                    api.refused += 1
                    self.send_json(429, {"detail": "rate limited"}, {"Retry-After": "7"})
                    return
                if self.headers.get("Authorization") != "Bearer geheim":
                    self.send_json(401, {"detail": "unauthorised"})
                    return
                api.requests.append((self.command, self.path, body, api.clock()))
                self.send_json(201 if self.command == "POST" else 200, {"lars": "12345678"})

            do_POST = do_PUT = _handle

        self._server = LoopbackServer(Handler)
        self.url = self._server.url

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_thirty_submissions_stay_under_25_a_minute(clock):
    api = FakeAanleverApi(clock)
    limiter = RequestPacer(clock=clock, sleep=clock.sleep)
    try:
        with httpx.Client(base_url=api.url) as client:
            for _ in range(30):
                result = submit(ENTRY, base_url=api.url, token="geheim", organisation="gm0000", limiter=limiter, client=client)
                assert result.status == 201 and result.method == "POST"
    finally:
        api.close()
    assert api.refused == 0 and len(api.requests) == 30
    assert clock.slept >= 60  # the 26th request waited for the window
    times = [r[3] for r in api.requests]
    assert all(sum(1 for t in times if start <= t < start + 60) <= 25 for start in times)
    method, path, body, _ = api.requests[0]
    assert path == "/aanleverapi/v1_0/organizations/gm0000/algorithms" and body == ENTRY


def test_an_update_is_a_put_and_a_429_is_waited_out(clock):
    api = FakeAanleverApi(clock, force_429=1)
    try:
        result = submit(
            {**ENTRY, "lars": "12345678"},
            base_url=api.url,
            token="geheim",
            organisation="gm0000",
            limiter=RequestPacer(clock=clock, sleep=clock.sleep),
        )
    finally:
        api.close()
    assert result.method == "PUT" and result.url.endswith("/algorithms/12345678") and result.status == 200
    assert api.refused == 1 and clock.slept >= 7


def test_refusals_and_missing_configuration_are_reported(clock):
    api = FakeAanleverApi(clock)
    try:
        with pytest.raises(SubmitError, match="401"):
            submit(
                ENTRY, base_url=api.url, token="fout", organisation="gm0000", limiter=RequestPacer(clock=clock, sleep=clock.sleep)
            )
    finally:
        api.close()
    with pytest.raises(SubmitError, match="GOV_REGISTER_API_URL"):
        submit(ENTRY, base_url="", token="", organisation="", limiter=RequestPacer())
    with pytest.raises(SubmitError, match="could not be reached"):
        submit(
            ENTRY,
            base_url="http://127.0.0.1:9",
            token="x",
            organisation="gm0000",
            limiter=RequestPacer(clock=clock, sleep=clock.sleep),
        )
