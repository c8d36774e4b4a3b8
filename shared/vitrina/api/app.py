"""The FastAPI application: routers, error mapping and OpenAPI docs."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from vitrina import __version__
from vitrina.api import banner, matting, review, video
from vitrina.errors import VitrinaError


def _error(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status)


def create_app() -> FastAPI:
    app = FastAPI(
        title="vitrina",
        version=__version__,
        description="AI-assisted design of e-commerce multimedia content. "
        "Errors are JSON: {\"error\": {\"code\": machine-readable, \"message\": a sentence}}.",
    )

    @app.exception_handler(VitrinaError)
    async def _vitrina_error(_: Request, exc: VitrinaError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message, type=type(exc).__name__)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"invalid request: {where}: {first.get('msg', 'bad value')}"
        details = [{"loc": e.get("loc"), "msg": e.get("msg")} for e in exc.errors()]
        return _error(422, "invalid_request", message, details=details)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(matting.router)
    app.include_router(banner.router)
    app.include_router(video.router)
    app.include_router(review.router)
    return app
