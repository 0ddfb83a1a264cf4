"""The monitoring checks read the real /metrics of an app on a temporary database."""

from tests.governance.conftest import app, bot, client, clock, settings  # noqa: F401 - fixtures
