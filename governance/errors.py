"""Errors as RFC 9457 problem details, with Dutch title and detail for the citizen and a stable `code`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from governance import API_VERSION, metrics
from governance.problem_texts import TITLES, problem_detail

logger = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """Raise anywhere in a request; becomes a problem+json response."""

    def __init__(
        self, status: int, code: str, detail: str, title: str | None = None, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or TITLES.get(status, "Fout")
        self.headers = headers or {}  # e.g. Retry-After on a 503


def problem_response(status: int, code: str, detail: str, title: str | None = None) -> JSONResponse:
    metrics.PROBLEMS.labels(str(status)).inc()
    body = {
        "type": f"https://gemeente-assistent.example/problems/{code}",
        "title": title or TITLES.get(status, "Fout"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers={"API-Version": API_VERSION})


def _validation_detail(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "invalid_json", problem_detail("invalid_json")
    fields = sorted({str(e["loc"][-1]) for e in errors if e.get("loc")})
    names = ", ".join(fields) if fields else problem_detail("validation_whole_request")
    return 422, "validation_error", problem_detail("validation_error", names=names)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        response = problem_response(exc.status, exc.code, exc.detail, exc.title)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, code, detail = _validation_detail(exc)
        return problem_response(status, code, detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else problem_detail("not_found")
        return problem_response(exc.status_code, f"http_{exc.status_code}", detail)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database_away(request: Request, exc: Exception) -> JSONResponse:
        # The database is briefly gone: say so kindly (never a 500); nothing was half-written (the
        # transaction rolled back) and an answer already given waits in the spool.
        logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        response = problem_response(503, "storage_unavailable", problem_detail("storage_unavailable"))
        response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "internal_error", problem_detail("internal_error"))
