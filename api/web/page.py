"""One way to answer with a page: the template plus what every page needs (script, signed-in user, labels)."""

from __future__ import annotations

from functools import partial
from typing import TypeVar
from urllib.parse import urlencode

from jinja2 import pass_context
from litestar import MediaType, Request, Response
from litestar.datastructures import Cookie
from litestar.response import Template

from registry.urls import is_web_url

from . import labels, messages
from .script import CHOSEN_FROM, COOKIE, ONE_YEAR, SCRIPTS, curated_labels, official, pick, ui
from .session import signed_in


AnyResponse = TypeVar("AnyResponse", bound=Response)


def page(request: Request, services, name: str, *, status_code: int = 200, **context) -> Template:
    script, chosen = pick(request)
    context.update(
        script=script, scripts=SCRIPTS, t=partial(ui, script=script, curated=curated_labels(services.catalog, script)),
        off=partial(official, script=script),
        L=labels, M=messages, user=signed_in(request, services.store), path=request.scope["path"],
        here_without_script=[(k, v) for k, v in request.query_params.multi_items() if k != "script"],
        url=url,
    )
    cookies = [Cookie(key=COOKIE, value=script, max_age=ONE_YEAR, samesite="lax", httponly=True)] if chosen else []
    return vary(Template(template_name=name, context=context, media_type=MediaType.HTML, status_code=status_code,
                         cookies=cookies), *CHOSEN_FROM)


def vary(response: AnyResponse, *names: str) -> AnyResponse:
    """``response`` with ``names`` added to its ``Vary`` (each once, whatever its case): a cache keeps one
    answer per value of each header the answer was chosen by."""
    key = next((k for k in response.headers if k.lower() == "vary"), "Vary")
    present = [v.strip() for v in response.headers.pop(key, "").split(",") if v.strip()]
    known = {v.lower() for v in present}
    response.headers["Vary"] = ", ".join([*present, *(n for n in names if n.lower() not in known)])
    return response


def url(path: str, **params) -> str:
    """A link with its query, leaving out empty values (so no filter is ever dropped or doubled)."""
    query = urlencode([(k, v) for k, v in params.items() if v not in (None, "")])
    return f"{path}?{query}" if query else path


# -- for templates rendered by others' handlers (e.g. the drafting pages) that extend base.html ---------
@pass_context
def _t(context, text: str) -> str:
    script = _script(context)
    request = context.get("request")
    try:
        catalog = request.app.state.services.catalog if request is not None else None
    except Exception:  # an app that is only built: no catalog, OpenCC alone
        catalog = None
    return ui(text, script, curated_labels(catalog, script))


@pass_context
def _off(context, text: str) -> str:
    return official(text, _script(context))


def _script(context) -> str:
    script = context.get("script")
    if script in SCRIPTS:
        return script
    request = context.get("request")
    return pick(request)[0] if request is not None else "zh-Hans"


@pass_context
def _web_state(context) -> dict:
    """What base.html needs, from the page's own context or else from the request."""
    request = context.get("request")
    state = {"script": _script(context), "path": context.get("path"), "user": context.get("user"),
             "here_without_script": context.get("here_without_script")}
    if request is not None:
        if state["path"] is None:
            state["path"] = request.scope["path"]
        if state["here_without_script"] is None:
            state["here_without_script"] = [(k, v) for k, v in request.query_params.multi_items() if k != "script"]
        if "user" not in context:
            try:
                state["user"] = signed_in(request, request.app.state.services.store)
            except Exception:  # no services (an app that is only built) or no session on this path
                state["user"] = None
    state["path"] = state["path"] or "/"
    state["here_without_script"] = state["here_without_script"] or []
    return state


def install_globals(engine) -> None:
    """Template globals, so that any page extending base.html renders its header in the reader's script."""
    engine.engine.globals.update(t=_t, off=_off, L=labels, M=messages, url=url, scripts=SCRIPTS, web_state=_web_state,
                                 web_url=is_web_url)  # a stored URL becomes a link only if http(s)
