"""Publishing the entry through the Algoritmeregister's supply API (aanlever-API): POST a new entry to
/aanleverapi/v1_0/organizations/{org}/algorithms, PUT an update to …/algorithms/{lars}. The API allows 25
requests a minute; the client keeps under that itself and honours a 429's Retry-After, so a batch run or a
retry loop never gets the organisation's token throttled."""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

REQUESTS_PER_MINUTE = 25
MAX_ATTEMPTS = 4


class RequestPacer:
    """A sliding window: at most `limit` requests in any `window` seconds."""

    def __init__(
        self,
        limit: int = REQUESTS_PER_MINUTE,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._sent: collections.deque[float] = collections.deque()

    def wait(self) -> None:
        while True:
            now = self._clock()
            while self._sent and self._sent[0] <= now - self.window:
                self._sent.popleft()
            if len(self._sent) < self.limit:
                self._sent.append(now)
                return
            self._sleep(self._sent[0] + self.window - now)

    def pause(self, seconds: float) -> None:
        self._sleep(seconds)


@dataclass(frozen=True)
class Submission:
    status: int
    method: str
    url: str
    body: Any


class SubmitError(Exception):
    """The register refused the entry or could not be reached; the message says what it answered."""


def submit(
    entry: dict[str, Any],
    *,
    base_url: str,
    token: str,
    organisation: str,
    limiter: RequestPacer,
    client: httpx.Client | None = None,
) -> Submission:
    if not base_url or not token or not organisation:
        raise SubmitError("GOV_REGISTER_API_URL, GOV_REGISTER_API_TOKEN and GOV_REGISTER_ORGANISATION_CODE are needed")
    path = f"/aanleverapi/v1_0/organizations/{organisation}/algorithms"
    method, url = ("PUT", f"{path}/{entry['lars']}") if entry.get("lars") else ("POST", path)
    own = client is None
    http = client or httpx.Client(base_url=base_url.rstrip("/"), timeout=30)
    try:
        for _ in range(MAX_ATTEMPTS):
            limiter.wait()
            try:
                response = http.request(method, url, json=entry, headers={"Authorization": f"Bearer {token}"})
            except httpx.HTTPError as exc:
                raise SubmitError(f"the register could not be reached: {exc}") from exc
            if response.status_code == 429:
                limiter.pause(_retry_after(response))
                continue
            body = _body(response)
            if response.status_code >= 400:
                raise SubmitError(f"the register answered {response.status_code}: {body}")
            return Submission(response.status_code, method, url, body)
        raise SubmitError(f"still rate-limited after {MAX_ATTEMPTS} attempts")
    finally:
        if own:
            http.close()


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(1.0, float(response.headers.get("Retry-After", "60")))
    except ValueError:
        return 60.0


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:500]
