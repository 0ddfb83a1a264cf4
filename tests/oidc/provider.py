"""Start the test OpenID provider (provider.mjs, the npm package oidc-provider) on a free loopback port."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).parent
CLIENT_ID = "gemeente-assistent"
CLIENT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
ROLE_MAP = {"kcc": "agent", "kwaliteit": "reviewer", "beheer": "admin"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_provider(redirect_uri: str, post_logout_uri: str) -> Iterator[str]:
    """The provider's issuer URL while it runs; skips the test where Node.js or npm is missing."""
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are needed to run the test provider (the npm package oidc-provider)")
    if not (HERE / "node_modules" / "oidc-provider").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True, timeout=300)
    port = _free_port()
    process = subprocess.Popen(
        [node, "provider.mjs", str(port), redirect_uri, post_logout_uri],
        cwd=HERE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("the test OpenID provider did not start")
                time.sleep(0.2)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)
