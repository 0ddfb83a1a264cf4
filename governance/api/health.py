"""Liveness and readiness. Ready means: database migrated, Rasa has a model, the action server answers."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from governance import metrics
from governance.api.deps import RuntimeDep
from governance.migrations import head_revision
from governance.switches import killswitch

router = APIRouter(include_in_schema=False)


def _kill_switch(runtime) -> dict | None:
    """The kill switch does not make the service unready (citizens still reach people); it is shown here."""
    try:
        with runtime.session_factory() as session:
            state = killswitch.current(session)
    except Exception:  # noqa: BLE001 - a database failure is reported under checks already
        return None
    return {
        "enabled": state.enabled,
        "reason": state.reason,
        "since": state.changed_at.isoformat() if state.changed_at else None,
    }


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    try:
        with runtime.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        database = "ok" if current == head_revision() else "not migrated"
    except Exception:  # noqa: BLE001 - any database failure means "not ready", with a reason
        database = "unreachable"
    model = await runtime.bot.model_status()
    actions_ok = await runtime.bot.action_server_healthy()
    checks = {
        "database": database,
        "rasa_model": "ok" if model.loaded else "no model loaded or Rasa down",
        "action_server": "ok" if actions_ok else "unreachable",
    }
    metrics.BOT_UP.set(1 if model.loaded and actions_ok else 0)
    ready = all(v == "ok" for v in checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        "checks": checks,
        "model_version": model.model_version,
        "kill_switch": _kill_switch(runtime),
    }
    return JSONResponse(body, status_code=200 if ready else 503)
