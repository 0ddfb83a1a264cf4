"""Everything a request needs that lives as long as the app: built once in create_app, never at import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from governance.config import Settings
from governance.db import utc_now
from governance.events import ChangeBus
from governance.identity import OidcProvider
from governance.languages import LanguageStep
from governance.privacy.crypto import Sealer
from governance.privacy.pii import PiiScreen
from governance.privacy.tracker import TrackerStore
from governance.rasa_client import ActionTrace, ModelStatus
from governance.ratelimit import RateLimiter
from governance.safety.rules import SafetyRules
from governance.spool import DecisionSpool
from governance.sse import StreamLimits
from governance.texts import Texts
from knowledge import KnowledgeBase, Municipality


class BotClient(Protocol):
    """What the gateway needs from Rasa; tests pass a fake with the same methods."""

    async def send(self, *, sender_id: str, message: str, metadata: dict) -> list[dict]: ...
    async def actions_since_last_user_message(self, sender_id: str) -> list[ActionTrace]: ...
    async def model_status(self, *, allow_stale: bool = False) -> ModelStatus: ...
    async def action_server_healthy(self) -> bool: ...
    async def close(self) -> None: ...


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    bot: BotClient
    safety_rules: SafetyRules
    knowledge: KnowledgeBase
    municipality: Municipality
    texts: Texts
    pii: PiiScreen
    sealer: Sealer
    tracker: TrackerStore
    spool: DecisionSpool
    streams: StreamLimits
    limiter: RateLimiter
    languages: LanguageStep
    events: ChangeBus = field(default_factory=ChangeBus)
    # The municipality's OpenID Connect provider for staff sign-in; None in the local (token) mode.
    oidc: OidcProvider | None = None
    # What time it is for office hours and queue estimates; tests freeze it.
    clock: Callable[[], dt.datetime] = utc_now
