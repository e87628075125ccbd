"""``create_app(settings)``: the one app for production, the CLI and the tests."""

from __future__ import annotations

import asyncio
import html
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import anyio.to_thread
from litestar import Litestar, MediaType, Response, Router, get
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.core import MsgspecDIPlugin
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from msgspec import Struct

from .drafting import DraftingController, DraftingPages
from .editorial import ProposalController, ReleaseController
from .exchange import exchange_handlers
from .history import HistoryController
from .memory import keep_large_blocks_apart, trim
from .openapi import ExactJson
from .strict import strict_request
from .observability import EveryRequest, RequestLog, RequestMetrics, flush_every, metrics, readyz
from .problems import EXCEPTION_HANDLERS, no_nul_in_path
from .rendering import PreEncoded, encode
from .routes import ConceptController, SearchController
from .services import Services
from .settings import Settings
from .security import Throttles, limit_draft_checks
from .web import WEB_HANDLERS, RegistrySessionStore, csrf_config, install_globals, session_config

HERE = Path(__file__).parent
VERSION = "0.1.0"
log = logging.getLogger("shuyu")


class Health(Struct, omit_defaults=True):
    status: str  # "ok", or "degraded" (search unavailable, or the read models behind the store)
    revision: int
    worker: int  # the process id: which worker answered
    reason: str | None = None  # why it is degraded


WORKER = os.getpid()  # read again in a forked worker (os.register_at_fork below)
os.register_at_fork(after_in_child=lambda: globals().update(WORKER=os.getpid()))


class ShuyuApp(Litestar):
    """Litestar without the pydantic and attrs plugins it adds whenever those libraries are installed
    (a test extra brings pydantic in): the app's models are msgspec Structs only, and the two plugins
    import their libraries into every worker (about 10 MB). litestar 2 has no setting for this; its
    one hook is the static ``_get_default_plugins``, given here the only default the app uses."""

    @staticmethod
    def _get_default_plugins(plugins: list) -> list:
        return [*plugins, MsgspecDIPlugin()]


def health_route(current: Callable[[], Services]):
    """``GET /healthz`` of one app, answering from ``current()`` (what its lifespan opened)."""
    last: tuple[tuple, bytes] = ((), b"")  # the last answer and what it says: swapped whole, never edited

    @get("/healthz", sync_to_thread=False, media_type=MediaType.JSON, tags=["health"])
    def healthz() -> Response[Health]:
        """Liveness: answers without touching the store or the index; ``degraded`` (with a reason) while
        search is unavailable or the read models cannot follow the store."""
        # no parameters, so litestar has nothing to parse; the bytes are encoded once per (revision, state)
        nonlocal last
        services = current()
        key = (services.catalog.revision, services.health, WORKER)
        said, body = last
        if said != key:
            (status, reason), revision = key[1], key[0]
            body = encode(Health(status=status, revision=revision, worker=WORKER, reason=reason))
            last = (key, body)
        return PreEncoded(body)

    return healthz


async def follow_change_log(services: Services, interval: float) -> None:
    """Apply new revisions to the catalog and index, so published versions are found without a restart;
    rebuild the index in the background when it fails (``Services.catch_up`` logs each change once).

    It catches up as soon as the store announces a commit (PostgreSQL's LISTEN/NOTIFY, so a change made
    on another node is searchable here at once) and at least every ``interval`` seconds: the polling
    that remains when notifications are not available (SQLite) or their connection is down."""
    trimmed = services.catalog.revision  # the revision whose start-up or swap was last trimmed
    while True:
        await anyio.to_thread.run_sync(services.store.wait_for_change, interval, abandon_on_cancel=True)
        await anyio.to_thread.run_sync(partial(services.catch_up, repair=True))
        if services.catalog.revision != trimmed:  # a new snapshot (here or by an approving request): the old is freed
            trimmed = services.catalog.revision
            await anyio.to_thread.run_sync(trim)


SESSION_SWEEP_SECONDS = 3600.0


async def sweep_sessions(store, every: float = SESSION_SWEEP_SECONDS) -> None:
    """Remove expired web sessions from the store at start and then every ``every`` seconds: an expired
    session is never served, but the rows of everyone who never came back would pile up. Several workers
    and nodes may sweep at once (a row already gone is skipped)."""
    while True:
        try:
            await store.delete_expired()
        except Exception as exc:  # noqa: BLE001 - a store outage is reported elsewhere; sweep again later
            logging.getLogger("shuyu").warning("could not sweep expired web sessions: %s", exc)
        await asyncio.sleep(every)


class SwaggerPage(SwaggerRenderPlugin):
    """litestar's Swagger UI page without inline script or style (the CSP allows neither): the viewer is
    started by /static/swagger-init.js and fetches the description from /schema/openapi.json."""

    def render(self, request, openapi_schema: dict) -> bytes:
        title = html.escape(str(openapi_schema["info"]["title"]))
        return (f"<!DOCTYPE html><html lang='en'><head><title>{title}</title>{self.favicon}"
                "<meta charset='utf-8'><meta name='viewport' content='width=device-width, initial-scale=1'>"
                f"<link href='{self.css_url}' rel='stylesheet'><link href='/static/shuyu-schema.css' rel='stylesheet'>"
                f"<script src='{self.js_url}'></script><script src='{self.standalone_preset_js_url}'></script>"
                "<script src='/static/swagger-init.js'></script></head>"
                "<body><div id='swagger-container' data-spec='/schema/openapi.json'></div></body></html>").encode()


# the OpenAPI viewer from our own static files: /schema works on an intranet or behind a firewall
SWAGGER_UI = SwaggerPage(
    path=["/", "/swagger", "/redoc"],  # /schema/redoc: ReDoc is not bundled (nothing from a CDN); Swagger UI answers
    js_url="/static/swagger-ui/swagger-ui-bundle.js",
    css_url="/static/swagger-ui/swagger-ui.css",
    standalone_preset_js_url="/static/swagger-ui/swagger-ui-standalone-preset.js",
    favicon="<link rel='icon' type='image/png' href='/static/swagger-ui/favicon-32x32.png'>",
)


async def before_request(request):
    """The app's one ``before_request``: the draft checker's rate limit, then what the description
    does not allow (api/strict.py)."""
    if request.scope["method"] == "POST":
        await limit_draft_checks(request)
    return await strict_request(request)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    running: dict[str, Services] = {}
    request_metrics = RequestMetrics()

    def answering_revision() -> int | None:
        """The catalog revision answering now (None before the lifespan opened the services)."""
        services = running.get("services")
        return None if services is None else services.search.catalog.revision  # Services.catalog's read

    request_log = RequestLog(answering_revision)

    def current_services() -> Services:
        """The dependency every handler gets: what the lifespan opened (no parameters: nothing to parse)."""
        return running["services"]

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        keep_large_blocks_apart()  # before the snapshot's load frees its large blocks (api/memory.py)
        services = await anyio.to_thread.run_sync(Services, settings)
        app.state.services = running["services"] = services
        trim()  # what opening the services freed goes back to the system (api/memory.py)
        tasks = [asyncio.create_task(follow_change_log(services, settings.sync_interval)),
                 asyncio.create_task(sweep_sessions(app.stores.get("sessions"))),
                 asyncio.create_task(flush_every(request_metrics))]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            request_metrics.flush()  # the requests noted since the last flush, counted and logged
            services.close()

    app = ShuyuApp(
        route_handlers=[
            ConceptController,
            HistoryController,
            SearchController,
            ProposalController,
            ReleaseController,
            # the pages: sessions and CSRF apply here only, so the JSON routes pass through neither
            Router(path="/", route_handlers=[*WEB_HANDLERS, DraftingPages],
                   middleware=[session_config().middleware,
                               DefineMiddleware(CSRFMiddleware, config=csrf_config(settings.data_dir, settings.secret_key))]),
            *exchange_handlers(settings),
            DraftingController,
            health_route(current_services),
            readyz,
            metrics,
            create_static_files_router(path="/static", directories=[HERE / "static"], include_in_schema=False,
                                       guards=[no_nul_in_path]),
        ],
        dependencies={"services": Provide(current_services, sync_to_thread=False)},
        lifespan=[lifespan],
        stores={"sessions": RegistrySessionStore(lambda: running["services"].store)},
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine,
                                       engine_callback=install_globals),
        openapi_config=OpenAPIConfig(
            title="shuyu 术语",
            version=VERSION,
            description="A versioned registry of the terms, reference-architecture concepts and standards "
            "of China's digital-village programme.",
            path="/schema",
            render_plugins=[SWAGGER_UI, ExactJson()],
        ),
        request_max_body_size=1_048_576,
        before_request=before_request,
    )
    app.state.throttles = Throttles(settings)
    # One log line and one count per request, 404s for paths no route matches included: route middleware
    # never sees those, so one wrapper (security headers, HEAD, metrics, request log) wraps the app's own
    # handler, where litestar puts its app-wide CORS middleware.
    app.state.request_metrics = request_metrics
    app.asgi_handler = EveryRequest(app.asgi_handler, request_metrics, request_log)
    return app


def create_asgi(settings: Settings | None = None) -> Litestar:
    """What is served: the litestar app itself, so every response passes through its one middleware
    stack (docs/performance.md measured the hand-written fast path this replaced)."""
    return create_app(settings)


def app_from_environment() -> Litestar:
    """Factory for uvicorn workers: settings come from ``SHUYU_*`` variables."""
    return create_asgi(Settings.from_env())
