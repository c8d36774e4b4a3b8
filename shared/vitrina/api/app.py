"""The FastAPI application: routers, access control, error mapping and OpenAPI docs."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.routing import BaseRoute, Match

from vitrina import __version__, fetch
from vitrina.api import banner, detail_pages, downloads, files, matting, review, video
from vitrina.api.answers import Health
from vitrina.api.schemas import finish_openapi
from vitrina.api.workers import WorkerPool
from vitrina.config import settings
from vitrina.errors import ConfigError, Overloaded, Unauthorized, VitrinaError
from vitrina.store.objects import FILES_ROUTE

# Open without a token: liveness and the API's own documentation.
PUBLIC_PATHS = frozenset({"/healthz", "/docs", "/openapi.json"})
DOCS_FILES = "/docs/files"  # Swagger UI, served from the fastapi-offline package
# ...and presigned file URLs, which carry their own signature, like S3's.
PUBLIC_PREFIXES = (DOCS_FILES + "/", FILES_ROUTE + "/")
_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large",
               415: "unsupported_media_type"}


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None,
           **extra: object) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status,
                        headers=headers)


class TokenAuth(BaseHTTPMiddleware):
    """``Authorization: Bearer <VITRINA_API_TOKEN>`` on every route but the public ones,
    compared in constant time; no token configured means a loopback-only server."""

    def __init__(self, app: object, token: str) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.expected = f"Bearer {token}".encode()

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if path not in PUBLIC_PATHS and not path.startswith(PUBLIC_PREFIXES):
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, self.expected):
                # A middleware answers itself: its exceptions never reach the app's handlers.
                exc = Unauthorized("this API needs 'Authorization: Bearer <token>' with the "
                                   "operator's VITRINA_API_TOKEN")
                return _error(exc.status, exc.code, exc.message,
                              headers={"WWW-Authenticate": "Bearer"})
        return await call_next(request)


def _routes(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, those of included routers too."""
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from _routes(included.routes) if included is not None else (route,)


def _answers(route: BaseRoute, scope: dict[str, object]) -> bool:
    """Whether ``route`` takes this request: its path, method and path parameters (a GET
    /v1/matting/{result_id} does not take /v1/matting/jobs: "jobs" is no result id)."""
    match, child = route.matches(scope)
    if match != Match.FULL:
        return False
    if isinstance(route, APIRoute):
        _, problems = request_params_to_args(route.dependant.path_params,
                                             child.get("path_params", {}))
        return not problems
    return True


def allowed_methods(app: FastAPI, scope: dict[str, object]) -> list[str]:
    """Every method some route of ``app`` answers at the request's path: the ``Allow`` of a
    405 (Starlette names only the first route that matched the path, e.g. GET of
    ``/{result_id}`` for a POST route beside it)."""
    routes = list(_routes(app.router.routes))
    return [method for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
            if any(_answers(route, {**scope, "method": method}) for route in routes)]


def check_configuration() -> None:
    """Refuse to start on settings that would fail every request later."""
    cfg = settings()
    fetch.validate_settings(cfg)
    if cfg.api_workers < 1 or cfg.api_queue < 0 or cfg.request_deadline_s <= 0:
        raise ConfigError("VITRINA_API_WORKERS must be >= 1, VITRINA_API_QUEUE >= 0 and "
                          "VITRINA_REQUEST_DEADLINE_S > 0")


def _offline_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) from packaged files: the docs work with no CDN and no network.
    (ReDoc is left out: its bundle loads a logo from its CDN.)"""
    app.mount(DOCS_FILES, StaticFiles(directory=str(resources.files("fastapi_offline") / "static")),
              name="docs-files")

    @app.get("/docs", include_in_schema=False)
    async def swagger(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}/openapi.json", title="vitrina API",
            swagger_js_url=f"{root}{DOCS_FILES}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_FILES}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_FILES}/favicon.png")


def create_app() -> FastAPI:
    check_configuration()
    app = FastAPI(
        title="vitrina",
        version=__version__,
        description="AI-assisted design of e-commerce multimedia content. "
        "Errors are JSON: {\"error\": {\"code\": machine-readable, \"message\": a sentence}}. "
        "When the server has a token (VITRINA_API_TOKEN), send it as "
        "`Authorization: Bearer <token>`.",
        redirect_slashes=False,
        docs_url=None,
        redoc_url=None,
    )
    _offline_docs(app)
    app.state.pool = WorkerPool.from_settings()
    token = settings().api_token
    if token:
        app.add_middleware(TokenAuth, token=token)

    @app.exception_handler(VitrinaError)
    async def _vitrina_error(_: Request, exc: VitrinaError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Overloaded) else None
        return _error(exc.status, exc.code, exc.message, headers, type=type(exc).__name__)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if exc.errors() and all(e.get("loc", ("",))[0] == "path" for e in exc.errors()):
            # The path matched a route's template but not its parameters (GET /v1/matting/jobs
            # is no result's address): where another route takes the path, it is a wrong method.
            allowed = allowed_methods(app, request.scope)
            if allowed:
                return _error(405, "method_not_allowed", f"{request.method} is not allowed on "
                              f"{request.url.path[:200]}", {"Allow": ", ".join(allowed)})
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"invalid request: {where}: {first.get('msg', 'bad value')}"
        details = [{"loc": e.get("loc"), "msg": e.get("msg")} for e in exc.errors()]
        # 400 like every other request that does not match the schema (see schemas.py).
        return _error(400, "invalid_request", message, details=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Starlette's own answers (no such route, wrong method, a broken multipart body,
        a body FastAPI could not parse) in the same shape as every other error."""
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else ""
        headers = dict(exc.headers or {})
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no route {request.method} {request.url.path[:200]}"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path[:200]}"
            headers["Allow"] = ", ".join(allowed_methods(app, request.scope))
        elif exc.status_code == 400 and "parsing the body" in detail:
            detail = "the body could not be read as JSON (malformed or nested too deeply)"
        message = detail if len(detail) >= 10 else f"HTTP {exc.status_code}: {detail or code}"
        return _error(exc.status_code, code, message, headers or None)

    @app.get("/healthz", tags=["meta"], responses={200: {"model": Health}})
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(files.router)
    app.include_router(downloads.router)
    app.include_router(matting.router)
    app.include_router(banner.router)
    app.include_router(video.router)
    app.include_router(detail_pages.router)
    app.include_router(review.router)
    finish_openapi(app, PUBLIC_PATHS)
    return app
