"""create_app(): the governance service. The citizen API lives in a sub-app mounted at /api/v1 so that its
OpenAPI document describes exactly the versioned API (contract section 0), without pages or probes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from governance import API_VERSION, metrics, security, templating
from governance.api import health
from governance.api.audit import router as audit_router
from governance.api.compliance import router as compliance_router
from governance.api.conversations import router as conversation_router
from governance.api.dashboard import router as dashboard_router
from governance.api.decisions import router as decision_router
from governance.api.escalations import router as escalation_router
from governance.api.privacy import router as privacy_router
from governance.api.review import router as review_router
from governance.api.signin import router as signin_router
from governance.api.staff import router as staff_router
from governance.api.widget import router as widget_router
from governance.compliance import citizen_page, disclosure
from governance.config import PROJECT_ROOT, Settings, get_settings
from governance.conversation import store
from governance.db import make_engine, make_session_factory
from governance.errors import Problem, install_error_handlers, problem_response
from governance.events import RedisFanout
from governance.handover import queue as handover_queue
from governance.identity import OidcProvider
from governance.languages import LanguageStep
from governance.openapi import build_openapi
from governance.privacy.crypto import sealer_for
from governance.privacy.pii import default_screen
from governance.privacy.tracker import TrackerStore
from governance.problem_texts import problem_detail
from governance.rasa_client import RasaClient
from governance.ratelimit import RateLimiter
from governance.rights.retention import run_retention
from governance.runtime import BotClient, Runtime
from governance.safety.rules import SafetyRules
from governance.spool import DecisionSpool
from governance.sse import StreamLimits
from governance.switches import killswitch
from governance.texts import Texts
from knowledge import load_knowledge_base, load_municipality

STATIC_DIR = Path(__file__).parent / "static"
SWAGGER_BUNDLE = STATIC_DIR / "vendor" / "swagger-ui" / "swagger-ui-bundle.js"
CONSOLE_PAGES = ("staff", "governance", "readiness")
logger = logging.getLogger(__name__)


class SafeStaticFiles(StaticFiles):
    """A NUL byte in a path made the file lookup raise (a 500); it names no file, so it is a 404."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if "\x00" in path:
            raise StarletteHTTPException(status_code=404)
        return await super().get_response(path, scope)


def build_runtime(settings: Settings, bot: BotClient | None = None) -> Runtime:
    municipality = load_municipality(settings.municipality_file)
    engine = make_engine(settings.database_url)
    tracker = TrackerStore(settings.tracker_store_url)
    return Runtime(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        bot=bot
        or RasaClient(
            base_url=settings.rasa_url,
            secret=settings.bot_secret_value(),
            action_server_url=settings.action_server_url,
            timeout=settings.rasa_timeout_seconds,
            status_ttl=settings.model_status_cache_seconds,
            tracker_store=tracker,
        ),
        safety_rules=SafetyRules.from_file(settings.safety_rules_file),
        knowledge=load_knowledge_base(settings.knowledge_dir, municipality, settings.municipality_file),
        municipality=municipality,
        texts=Texts.from_file(PROJECT_ROOT / "data" / "texts.yml", municipality),
        pii=default_screen(),
        sealer=sealer_for(settings),
        tracker=tracker,
        spool=DecisionSpool(settings.spool_dir, write=store.write_spooled),
        streams=StreamLimits(per_key=settings.stream_max_per_conversation, total=settings.stream_max_total),
        limiter=RateLimiter(settings.redis_url),
        oidc=OidcProvider(settings) if settings.oidc_enabled else None,
        languages=LanguageStep.from_file(municipality),
    )


def create_api(runtime: Runtime) -> FastAPI:
    api = FastAPI(title="gemeente-assistent API", version=API_VERSION, openapi_url="/openapi.json", docs_url=None, redoc_url=None)
    api.state.runtime = runtime
    install_error_handlers(api)
    api.include_router(conversation_router)
    api.include_router(widget_router)
    api.include_router(escalation_router)
    api.include_router(staff_router)
    api.include_router(decision_router)
    api.include_router(audit_router)
    api.include_router(privacy_router)
    api.include_router(review_router)
    api.include_router(dashboard_router)
    api.include_router(compliance_router)
    municipality = runtime.municipality
    contact = {"name": municipality.name, "url": municipality.website, "email": municipality.email}
    server_url = runtime.settings.public_base_url.rstrip("/") + "/api/v1"
    if runtime.settings.api_docs:

        @api.get("/docs", include_in_schema=False)
        def api_docs() -> FileResponse:
            """Swagger UI from local files (widget/build.mjs copies them) under the same strict policy as our pages."""
            if not SWAGGER_BUNDLE.is_file():
                raise Problem(404, "docs_not_built", problem_detail("docs_not_built"))
            return FileResponse(STATIC_DIR / "api-docs.html", headers={"Content-Security-Policy": DOCS_CSP})

    api.openapi = lambda: api.openapi_schema or _cache(api, build_openapi(api, contact=contact, server_url=server_url))  # type: ignore[method-assign]

    return api


def _cache(api: FastAPI, schema: dict) -> dict:
    api.openapi_schema = schema
    return schema


async def retention_schedule(runtime: Runtime) -> None:
    """Run the retention job shortly after start-up and then every interval; a failed run is logged and
    retried at the next interval (the data stays until then, it is never lost)."""
    await asyncio.sleep(5)
    while True:
        try:
            result = await run_in_threadpool(run_retention, runtime)
            logger.info("retention run", extra={"retention": asdict(result)})
        except Exception:
            logger.exception("retention run failed")
        await asyncio.sleep(runtime.settings.retention_interval_minutes * 60)


async def spool_schedule(runtime: Runtime, every_seconds: float = 5.0) -> None:
    """Write decision records that waited on disk while the database was away (governance.spool)."""
    while True:
        if runtime.spool.pending():
            written = await run_in_threadpool(runtime.spool.replay, runtime.session_factory)
            if written:
                logger.info("spooled decision records written", extra={"written": written})
        await asyncio.sleep(every_seconds)


def record_opening_texts_in_use(runtime: Runtime) -> None:
    """The disclosure wording in force goes into the audit log when it changed (compliance.disclosure). A
    database that is not there yet must not stop the service from starting: readiness reports it."""
    try:
        with runtime.session_factory() as session:
            changed = disclosure.record_opening_texts(session, runtime.texts)
        if changed:
            logger.info("opening texts recorded in the audit log", extra={"texts": changed})
    except Exception:
        logger.exception("could not record the opening texts in the audit log")


def create_app(settings: Settings | None = None, bot: BotClient | None = None) -> FastAPI:
    settings = settings or get_settings()
    runtime = build_runtime(settings, bot)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # several workers or machines: notifications travel through Redis (events.RedisFanout)
        await run_in_threadpool(record_opening_texts_in_use, runtime)
        fanout = RedisFanout(runtime.events, settings.redis_url) if settings.redis_url else None
        if fanout is not None:
            fanout.start()
        retention = asyncio.create_task(retention_schedule(runtime)) if settings.retention_interval_minutes > 0 else None
        spool = asyncio.create_task(spool_schedule(runtime))
        yield
        spool.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await spool
        if fanout is not None:
            fanout.stop()
        if retention is not None:
            retention.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retention
        await runtime.bot.close()
        runtime.tracker.dispose()
        runtime.engine.dispose()

    app = FastAPI(title="gemeente-assistent", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime = runtime
    install_error_handlers(app)

    security.install(app, settings, runtime.limiter, runtime.texts)

    app.include_router(health.router)
    app.include_router(signin_router)
    app.mount("/api/v1", create_api(runtime))
    app.mount("/static", SafeStaticFiles(directory=STATIC_DIR), name="static")

    # The staff and governance pages share their head and top bar (governance/templates/_console_page.html.j2);
    # they hold no data of their own, so they are rendered once.
    pages = {name: templating.environment().get_template(f"{name}.html.j2").render() for name in CONSOLE_PAGES}

    @app.get("/", include_in_schema=False)
    def widget_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Content-Security-Policy": CSP})

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        body, content_type = metrics.render(lambda: _database_gauges(runtime))
        return Response(body, media_type=content_type)

    @app.get("/governance", include_in_schema=False)
    def governance_dashboard() -> HTMLResponse:
        return HTMLResponse(pages["governance"], headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"})

    @app.get("/governance/readiness", include_in_schema=False)
    def readiness_page() -> HTMLResponse:
        return HTMLResponse(pages["readiness"], headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"})

    @app.get(citizen_page.PAGE_PATH, include_in_schema=False)
    def how_it_works(lang: str = "nl") -> HTMLResponse:
        return HTMLResponse(citizen_page.render(runtime, lang), headers={"Content-Security-Policy": CSP})

    @app.get("/staff", include_in_schema=False)
    def staff_console() -> HTMLResponse:
        return HTMLResponse(pages["staff"], headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"})

    @app.exception_handler(404)
    async def _not_found(_: Request, __: Exception) -> JSONResponse:
        return problem_response(404, "not_found", "Deze pagina bestaat niet.")

    return app


# Scripts and styles only from our own origin; no inline script, so injected HTML could not run anyway.
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'self'"
# Swagger UI sets inline styles on its elements; its scripts still come from our origin only.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'"
)


def _database_gauges(runtime: Runtime) -> metrics.DatabaseGauges:
    """Read at every scrape, so every worker reports the same truth: the queue and the kill switch."""
    with runtime.session_factory() as session:
        waiting, oldest = handover_queue.waiting_now(session, runtime.clock())
        enabled = killswitch.current(session).enabled
        session.commit()
    return metrics.DatabaseGauges(waiting_by_kind=waiting, oldest_chat_wait_seconds=oldest, kill_switch_enabled=enabled)
