"""One typed settings object: defaults here, overridden by a `.env` file and by environment variables.

Prefix GOV_ for everything; `DATABASE_URL` and `GATEWAY_PORT` are also accepted unprefixed because the
contract and common deployment tooling use those names.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOV_", env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        f"sqlite:///{PROJECT_ROOT / 'var' / 'governance.db'}",
        validation_alias=AliasChoices("GOV_DATABASE_URL", "DATABASE_URL"),
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, validation_alias=AliasChoices("GOV_PORT", "GATEWAY_PORT"))
    public_base_url: str = Field("http://127.0.0.1:8000", description="How citizens and the OpenAPI document reach us")

    rasa_url: str = "http://127.0.0.1:5005"
    bot_secret: SecretStr = Field(
        SecretStr(""),
        validation_alias=AliasChoices("GOV_BOT_SECRET", "GA_BOT_SECRET"),
        description="Shared secret of Rasa's gateway channel (bot/gateway_channel.py); scripts/stack.sh makes one per start",
    )
    bot_secret_file: Path | None = Field(
        None,
        validation_alias=AliasChoices("GOV_BOT_SECRET_FILE", "GA_BOT_SECRET_FILE"),
        description="The same secret from a file (a mounted Docker secret); wins over GOV_BOT_SECRET",
    )
    action_server_url: str = "http://127.0.0.1:5055"
    rasa_timeout_seconds: float = 15.0
    model_status_cache_seconds: float = 30.0

    municipality_file: Path = PROJECT_ROOT / "data" / "municipality.yml"
    knowledge_dir: Path = PROJECT_ROOT / "data" / "knowledge"
    safety_rules_file: Path = PROJECT_ROOT / "data" / "safety_rules.yml"

    chat_staffed: Literal["schedule", "always", "never"] = Field(
        "schedule",
        description="schedule: staff take chats during opening_hours.chat in data/municipality.yml; "
        "always/never override it (e.g. an extra staffed evening after a letter went out)",
    )
    default_handling_minutes: float = Field(6.0, gt=0, description="Expected handling time while there is no history yet")
    wait_history_size: int = Field(20, ge=1, description="How many recently handled chats the expected wait is based on")

    stream_poll_seconds: float = Field(2.0, gt=0, description="How often an event stream re-reads the database")
    stream_max_per_conversation: int = Field(
        3, ge=1, description="Open event streams per conversation (or per staff member for the queue); more: 503"
    )
    stream_max_total: int = Field(500, ge=1, description="Open event streams per worker in all; more: 503 with Retry-After")

    encryption_key: SecretStr = Field(
        SecretStr(""), description="Fernet key (urlsafe base64, 32 bytes) for call-back details; empty: encryption_key_file"
    )
    encryption_key_file: Path = Field(PROJECT_ROOT / "var" / "secret.key", description="Created once (mode 0600) if missing")
    tracker_store_url: str = Field(
        "", description="Rasa's tracker store (SQLAlchemy URL), to erase a conversation's tracker; empty: not erased here"
    )
    retention_transcript_days: int = Field(30, ge=1, description="Conversations (transcripts, Rasa trackers, notes)")
    retention_decision_days: int = Field(183, ge=183, description="Decision records; the AI Act asks at least 6 months")
    retention_audit_days: int = Field(365, ge=1, description="The staff-action audit log")
    retention_callback_days: int = Field(30, ge=1, description="Unresolved call-back requests (resolved ones go at once)")
    retention_interval_minutes: float = Field(60.0, ge=0, description="How often the service runs the job; 0: only by command")

    approved_nlu_file: Path = Field(
        PROJECT_ROOT / "data" / "nlu" / "reviewed.yml", description="Where four-eyes approved examples are written for make train"
    )
    log_level: str = Field("INFO", description="Logs are JSON lines without message texts")
    spool_dir: Path = Field(
        PROJECT_ROOT / "var" / "spool", description="Decision records wait here (fsync'd) while the database is away"
    )

    # Compliance (register/): where the live facts of the generated documents come from.
    nlu_dir: Path = Field(PROJECT_ROOT / "data" / "nlu", description="NLU training files (counted for the register)")
    models_dir: Path = Field(PROJECT_ROOT / "models", description="Trained models (the training date of the running one)")
    reports_dir: Path = Field(PROJECT_ROOT / "var" / "reports", description="Held-out evaluation reports (make eval-nlu)")
    readiness_file: Path = Field(
        PROJECT_ROOT / "data" / "readiness.yml", description="What only people can declare: DPIA decision, user tests, …"
    )
    kill_switch_test_days: int = Field(90, ge=1, description="The readiness check wants a kill-switch test this recent")
    prometheus_url: str = Field("", description="Prometheus (loopback) to check the alert rules are loaded; empty: unchecked")
    register_api_url: str = Field("", description="Base URL of the Algoritmeregister aanlever-API, for --submit")
    register_api_token: SecretStr = Field(SecretStr(""), description="Token of the aanlever-API")
    register_organisation_code: str = Field("", description="The organisation's code in the aanlever-API path")

    # Abuse protection (issue 9). 0 switches a limit off. Behind a reverse proxy, name the proxy's address in
    # forwarded_allow_ips so the citizen's address, not the proxy's, is counted and audited.
    forwarded_allow_ips: str = Field(
        "",
        description="Comma-separated addresses of the reverse proxy whose X-Forwarded-For is trusted; empty: none "
        "(uvicorn would trust 127.0.0.1, so any local client could pick its own address)",
    )
    redis_url: str = Field("", description="Redis for shared rate limits (and later fan-out); empty: per process")
    rate_limit_ip_per_minute: int = Field(300, ge=0, description="Citizen API requests per address per minute")
    rate_limit_starts_per_minute: int = Field(60, ge=0, description="New conversations per address per minute")
    rate_limit_conversation_per_minute: int = Field(30, ge=0, description="Messages per conversation per minute")
    cors_origins: str = Field("", description="Comma-separated origins of pages that embed the widget from elsewhere")

    api_docs: bool = Field(True, description="Swagger UI at /api/v1/docs, served from local files; off in production if wished")
    staff_token_hours: float = Field(
        12.0, gt=0, description="A staff member's token expires after this many hours (one shift); `user rotate` gives a new one"
    )

    # Staff sign-in with the municipality's OpenID Connect provider (issue 17). Empty issuer: the local mode,
    # where the pages take a bearer token from `governance user add` (the one-machine default).
    oidc_issuer: str = Field(
        "", description="Issuer URL of the OpenID Connect provider (discovery at /.well-known/...); empty: local mode"
    )
    oidc_client_id: str = Field("", description="Client id registered at the provider for this service")
    oidc_client_secret: SecretStr = Field(SecretStr(""), description="Client secret (client_secret_basic)")
    oidc_scopes: str = Field("openid profile groups", description="Scopes asked for at sign-in, space-separated")
    oidc_role_claim: str = Field("groups", description="Userinfo claim that lists the person's groups or roles")
    oidc_role_map: dict[str, Literal["agent", "reviewer", "admin"]] = Field(
        default_factory=dict,
        description='Group (value of the role claim) to role, as JSON: {"kcc": "agent", "kwaliteit": "reviewer"}; '
        "a person in several mapped groups gets the first of admin, reviewer, agent; in none: refused (403)",
    )
    oidc_recheck_minutes: float = Field(
        5.0, gt=0, description="How often a session asks the provider (userinfo) whether the person may still sign in"
    )
    oidc_timeout_seconds: float = Field(10.0, gt=0, description="Time-out of calls to the provider")
    staff_session_idle_minutes: float = Field(30.0, gt=0, description="A sign-in session ends after this long without a request")
    staff_session_hours: float = Field(10.0, gt=0, description="A sign-in session ends this long after sign-in, however busy")
    staff_cookie_secure: bool = Field(
        True, description="Send the session cookie over HTTPS only; false only for a provider test on plain http://127.0.0.1"
    )

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer.strip())

    max_message_chars: int = 2000
    max_body_bytes: int = 64 * 1024

    def bot_secret_value(self) -> str:
        if self.bot_secret_file is not None:
            return self.bot_secret_file.read_text(encoding="utf-8").strip()
        return self.bot_secret.get_secret_value()

    @field_validator("database_url", "tracker_store_url")
    @classmethod
    def _sqlalchemy_driver(cls, value: str) -> str:
        """Accept the plain postgres:// URLs that hosting tools hand out; use the psycopg 3 driver."""
        if not value:
            return value
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
