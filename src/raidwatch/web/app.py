"""App factory: the store, templates, static files, security headers and
error pages. Routes live in `public.py` (pages and downloads), `api.py`
(JSON API) and `review.py` (reviewers)."""
from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware

from raidwatch import __version__
from raidwatch.store import Store

from .limits import BodyLimit

HERE = Path(__file__).parent
# Front-end packages (Leaflet, world-atlas, topojson-client, swagger-ui-dist)
# are installed from package.json by `make setup` into node_modules/ at the
# repository root; RAIDWATCH_ASSETS points elsewhere.
DEFAULT_ASSETS = HERE.parents[2] / "node_modules"
VENDOR = {
    "leaflet": "leaflet/dist",
    "world-atlas": "world-atlas",
    "topojson-client": "topojson-client/dist",
    "swagger-ui": "swagger-ui-dist",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def assets_dir() -> Path:
    return Path(os.environ.get("RAIDWATCH_ASSETS") or DEFAULT_ASSETS)


def create_app(db: str | os.PathLike[str] | None = None, store: Store | None = None, *,
               testimony_public_key=None) -> FastAPI:
    """The app over `store`, or over a store opened from `db` (a SQLite
    path or database URL; default: $RAIDWATCH_DB or ./raidwatch.sqlite).
    `testimony_public_key` (a nacl PublicKey, a key file path or its text;
    default $RAIDWATCH_TESTIMONY_KEY) lets /testimony accept testimony,
    sealed to it; without one the form says it is not accepting any."""
    store = store or Store.open(db)
    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        store.close()  # the app owns the store it was given

    app = FastAPI(
        lifespan=lifespan,
        title="raidwatch API",
        version=__version__,
        description=(
            "Police 'anti-trafficking' operations extracted from news reports and press releases, "
            "each value with its source. Names of private individuals are redacted."
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["version"] = __version__
    app.state.templates = templates
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit)  # outermost: refuses oversized bodies before anything reads them
    app.mount("/static/app", StaticFiles(directory=str(HERE / "static")), name="static")
    assets = assets_dir()
    app.state.vendor = {}
    for name, sub in VENDOR.items():
        path = assets / sub
        if path.is_dir():
            app.mount(f"/static/vendor/{name}", StaticFiles(directory=str(path)), name=f"vendor-{name}")
            app.state.vendor[name] = True

    from . import api, public, review, testimony

    app.include_router(api.router)
    app.include_router(public.router)
    app.include_router(review.router)
    testimony.setup(app, testimony_public_key)
    app.include_router(testimony.router)

    # Starlette's own exception (unknown path, wrong method) too, so those get
    # the error page / JSON error like every other refusal.
    @app.exception_handler(StarletteHTTPException)
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return _error(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ())[1:]) or 'request'}: {err.get('msg')}"
            for err in exc.errors()
        )
        return _error(request, 422, problems or "invalid request")

    return app


def _error(request: Request, status: int, message: str, headers=None):
    if request.url.path.startswith("/api/") or request.url.path.startswith("/downloads/") and \
            request.url.path.endswith(".json"):
        return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status, headers=headers
    )


def html(request: Request, template: str, context: dict, status: int = 200) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)
