"""Exchange over HTTP: import uploads (admin), scheme and concept downloads, a paged concept list.

Handlers stay thin: they read the request, call ``vocab.exchange`` in a worker thread and stream
what it writes. Exports are also reached by content negotiation (``Accept: text/turtle`` ...).
"""

from __future__ import annotations

import hashlib
import re
from functools import partial
from typing import Annotated, Literal, get_args

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream
from msgspec import Struct

from registry.errors import InvalidInput, NotFound, VocabularyError
from registry.history import revision_of
from registry.workflow import require
from vocab.exchange import ImportReport, Snapshot, export_file_name, import_files, snapshot
from vocab.formats import FORMATS, STANDARDS, Context, Vocabulary, write

from .editorial import ActorDep, actor_from_request, bearer_token, publish_now
from .etags import etag_matches, if_none_match
from .openapi import body_as, success_as
from .problems import ImportProblem, not_modified, problems
from .routes import At, ReleaseTag
from .strict import UnsupportedMediaType, read_form
from .services import Services, ServicesDep
from .settings import Settings

FormatName = Literal["toml", "ttl", "rdf", "jsonld", "nt", "tbx", "csv"]  # FORMATS' names, an enum in the description
assert set(get_args(FormatName)) == set(FORMATS), "FormatName names every exchange format"
ExportFormat = Annotated[FormatName | None, QueryParameter(description=f"one of {', '.join(FORMATS)}")]
TbxDialect = Annotated[Literal["basic", "min", "core"], QueryParameter(
    description="TBX only: TBX-Basic, TBX-Min or TBX-Core (ISO 30042:2019); Min and Core carry less (as `shuyu export --tbx-dialect`)")]
TbxStyle = Annotated[Literal["dca", "dct"], QueryParameter(
    description="TBX only: data categories as attributes (dca) or as elements (dct) (as `shuyu export --tbx-style`)")]
MAX_FILES = 20
MAX_PAGE = 500
# media types a client may ask for, beyond each format's own (see vocab.formats.FORMATS)
ACCEPTED = {media: name for name, (_, _, media) in FORMATS.items()} | {
    "application/x-turtle": "ttl", "application/turtle": "ttl", "application/tbx+xml": "tbx",
    "application/x-tbx": "tbx", "text/n-triples": "nt", "application/json+ld": "jsonld",
}


VARY = {"Vary": "Accept"}  # on every answer of a URL that Accept may turn into a download
NATIVE = ("application/json", "text/html", "application/xhtml+xml", "*/*")  # the route's own answer: JSON or a page
QVALUE = re.compile(r"\s*[qQ]\s*=\s*(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)\s*")


def negotiated(request: Request) -> str | None:
    """The exchange format an ``Accept`` header prefers, or None when it prefers JSON or HTML (or names
    neither): the highest quality wins, the first listed among equals, and ``q=0`` is "not this" (RFC 9110,
    12.5.1); a malformed quality counts as 1, as if not given."""
    best: tuple[float, str | None] = (0.0, None)
    for part in request.headers.get("accept", "").split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        if media not in ACCEPTED and media not in NATIVE:
            continue
        quality = 1.0
        for param in params:
            if found := QVALUE.fullmatch(param):
                quality = float(found.group(1))
        if quality > best[0]:
            best = (quality, ACCEPTED.get(media))
    return best[1]


def _format(fmt: str | None, request: Request) -> str:
    chosen = fmt or negotiated(request) or "ttl"
    if chosen not in FORMATS:
        raise InvalidInput(f"unknown format {chosen!r}; use one of {', '.join(FORMATS)}", field="format")
    return chosen


def download(request: Request, vocabulary: Vocabulary, fmt: str, base_uri: str, file_name: str,
             fingerprint: bytes, tbx_dialect: str = "basic", tbx_style: str = "dca") -> Response:
    """A streamed file with its name and an ETag over everything that makes its bytes."""
    shape = f"{tbx_dialect}|{tbx_style}".encode() if fmt == "tbx" else b""
    etag = '"' + hashlib.sha1(fingerprint + fmt.encode() + base_uri.encode() + shape).hexdigest()[:20] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", **VARY}
    if etag_matches(if_none_match(request), etag):
        return Response(content=None, status_code=304, headers=headers)
    media = FORMATS[fmt][2]  # litestar adds "; charset=utf-8" to text/* types
    headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    context = Context(base_uri=base_uri, tbx_dialect=tbx_dialect, tbx_style=tbx_style)
    return Stream(content=write(vocabulary, fmt, context), media_type=media, headers=headers)


def _shot_fingerprint(shot: Snapshot, services: Services) -> bytes:
    schemes = msgspec.json.encode(shot.vocabulary.schemes)
    return b"%s|%d|%s" % (shot.vocabulary.name.encode(), shot.revision, schemes)


async def scheme_download(request: Request, services: Services, scheme_id: str, fmt: str,
                          release: str | None = None, at: str | None = None, tbx_dialect: str = "basic",
                          tbx_style: str = "dca") -> Response:
    shot = await anyio.to_thread.run_sync(partial(snapshot, services.store, scheme_id, release=release, at=at))
    name = export_file_name(scheme_id, fmt, release, shot.revision)
    return download(request, shot.vocabulary, fmt, services.settings.uri_base, name, _shot_fingerprint(shot, services),
                    tbx_dialect, tbx_style)


def concept_download(request: Request, services: Services, concept_id: str, fmt: str, tbx_dialect: str = "basic",
                     tbx_style: str = "dca") -> Response:
    """One concept, as it is now, in an exchange format (its scheme's description included)."""
    catalog = services.catalog
    concept = catalog.concepts.get(concept_id)
    if concept is None:
        raise NotFound(f"no concept {concept_id!r}")
    schemes = [catalog.schemes[concept.scheme]] if concept.scheme in catalog.schemes else []
    vocabulary = Vocabulary(name=concept.scheme, schemes=schemes, concepts=[concept])
    fingerprint = b"%s|%d|%s" % (concept_id.encode(), concept.version, msgspec.json.encode(schemes))
    return download(request, vocabulary, fmt, services.settings.uri_base,
                    f"{concept_id}-v{concept.version}.{FORMATS[fmt][1]}", fingerprint, tbx_dialect, tbx_style)


class SchemeInfo(Struct, kw_only=True):
    id: str
    title: str
    title_en: str
    description: str
    status: str
    uri: str
    concepts: int
    exports: dict[str, str]


class ConceptItem(Struct, kw_only=True):
    id: str
    preferred: str
    english: str
    notation: str
    status: str
    uri: str
    href: str


class ConceptPage(Struct, kw_only=True):
    scheme: str
    items: list[ConceptItem]
    total: int
    offset: int
    limit: int
    next: str | None


def _exports(path: str) -> dict[str, str]:
    return {fmt: f"{path}?format={fmt}" for fmt in FORMATS}


DOWNLOAD_TYPES = [media for _, _, media in FORMATS.values()]


class ExchangeController(Controller):
    path = "/api/v1"
    tags = ["exchange"]

    @get("/schemes/{scheme_id:str}", responses=problems(400, 404, 503) | not_modified(),
         operation_class=success_as(*DOWNLOAD_TYPES, keep=True))
    async def get_scheme(self, request: Request, services: ServicesDep, scheme_id: FromPath[str],
                         release: ReleaseTag = None, at: At = None) -> Response[SchemeInfo]:
        """A scheme's description, its URI and links to its downloads; with ``Accept: text/turtle``,
        ``application/ld+json``, ``application/x-tbx+xml`` or ``text/csv``, the scheme itself."""
        fmt = negotiated(request)
        if fmt:
            return await scheme_download(request, services, scheme_id, fmt, release, at)
        if at or release:  # they name what a download holds; here they must still name a revision (400, 404)
            await anyio.to_thread.run_sync(partial(revision_of, services.store, at, release))
        catalog = services.catalog
        if scheme_id == STANDARDS:
            return Response(SchemeInfo(id=STANDARDS, title="标准目录", title_en="Standards catalogue", description="",
                                       status="published", uri=Context(base_uri=services.settings.uri_base).scheme_uri(STANDARDS),
                                       concepts=len(catalog.standards),
                                       exports=_exports(f"/api/v1/schemes/{STANDARDS}/export")), headers=VARY)
        scheme = catalog.schemes.get(scheme_id)
        if scheme is None:
            raise NotFound(f"no scheme {scheme_id!r}")
        count = catalog.concepts.scheme_counts()[scheme_id]
        return Response(SchemeInfo(
            id=scheme.id, title=scheme.title, title_en=scheme.title_en, description=scheme.description,
            status=scheme.status, uri=Context(base_uri=services.settings.uri_base).scheme_uri(scheme.id),
            concepts=count, exports=_exports(f"/api/v1/schemes/{scheme.id}/export")), headers=VARY)

    @get("/schemes/{scheme_id:str}/export", responses=problems(400, 404, 503) | not_modified(),
         operation_class=success_as(*DOWNLOAD_TYPES))
    async def export_scheme(self, request: Request, services: ServicesDep, scheme_id: FromPath[str],
                            format: ExportFormat = None, release: ReleaseTag = None, at: At = None,
                            tbx_dialect: TbxDialect = "basic", tbx_style: TbxStyle = "dca") -> Stream:
        """Download a scheme (or ``standards``, the catalogue) as it is now, at a ``release`` or ``at`` a
        revision or time: ``format=ttl|rdf|jsonld|nt|tbx|csv|toml`` or by ``Accept``. Streamed, with a
        ``Content-Disposition`` file name naming scheme and release, and an ETag. TBX is TBX-Basic in DCA
        style unless ``tbx_dialect`` / ``tbx_style`` say otherwise."""
        return await scheme_download(request, services, scheme_id, _format(format, request), release, at,  # type: ignore[return-value]
                                     tbx_dialect, tbx_style)

    @get("/schemes/{scheme_id:str}/concepts", sync_to_thread=False, responses=problems(400, 404))
    def list_concepts(
        self, services: ServicesDep, scheme_id: FromPath[str],
        offset: Annotated[int, QueryParameter(ge=0, le=10_000_000)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 100,
    ) -> ConceptPage:
        """A scheme's concepts in id order, a page at a time (``limit`` ≤ 500); follow ``next``."""
        catalog = services.catalog
        if scheme_id not in catalog.schemes:
            raise NotFound(f"no scheme {scheme_id!r}")
        concepts = sorted(catalog.concepts.ids_where(scheme_id))  # only the page's concepts decoded
        context = Context(base_uri=services.settings.uri_base)
        items = [ConceptItem(id=c.id, preferred=c.preferred, english=c.english, notation=c.notation, status=c.status,
                             uri=context.concept_uri(c.id), href=f"/api/v1/concepts/{c.id}")
                 for c in (catalog.concepts[i] for i in concepts[offset:offset + limit])]
        more = offset + limit < len(concepts)
        return ConceptPage(scheme=scheme_id, items=items, total=len(concepts), offset=offset, limit=limit,
                           next=f"/api/v1/schemes/{scheme_id}/concepts?offset={offset + limit}&limit={limit}" if more else None)

    @get("/concepts/{concept_id:str}/export", sync_to_thread=False, responses=problems(400, 404, 503) | not_modified(),
         operation_class=success_as(*DOWNLOAD_TYPES))
    def export_concept(self, request: Request, services: ServicesDep, concept_id: FromPath[str],
                       format: ExportFormat = None, tbx_dialect: TbxDialect = "basic",
                       tbx_style: TbxStyle = "dca") -> Stream:
        """Download one concept (its current version) in an exchange format (TBX: ``tbx_dialect``, ``tbx_style``)."""
        return concept_download(request, services, concept_id, _format(format, request),  # type: ignore[return-value]
                                tbx_dialect, tbx_style)


TRUE = {"1", "true", "yes", "on"}
FLAGS = [*TRUE, "0", "false", "no", "off", ""]
SCHEME_ID = re.compile("[a-z][a-z0-9-]{1,63}")  # registry.model.Id
_FLAG = Schema(type=OpenAPIType.STRING, enum=FLAGS)
IMPORT_FORM = Schema(type=OpenAPIType.OBJECT, properties={
    "file": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY, description="a vocabulary file (more files: more fields, any name)"),
    "format": Schema(type=OpenAPIType.STRING, enum=list(FORMATS)), "scheme": Schema(type=OpenAPIType.STRING, pattern=f"^({SCHEME_ID.pattern})?$",
                                                                    description="the scheme id to import into"),
    "dry_run": _FLAG, "as_proposals": _FLAG, "deprecate_missing": _FLAG, "skip_invalid": _FLAG,
}, required=["file"], additional_properties=False)


class ImportController(Controller):
    path = "/api/v1/imports"
    tags = ["exchange"]
    guards = [bearer_token]  # the token is checked before the upload is read
    dependencies = {"actor": Provide(actor_from_request, sync_to_thread=False)}

    @post("/", status_code=201, responses=problems(400, 401, 403, 409, 413, 415, 422, 503) | {
        200: ResponseSpec(data_container=ImportReport, description="a dry run: what the import would do")},
          operation_class=body_as("vocabulary files (any field name) and the import's options", content={"multipart/form-data": IMPORT_FORM}))
    async def import_upload(self, request: Request, services: ServicesDep, actor: ActorDep) -> Response[ImportReport]:
        """Import uploaded vocabulary files (admin; ``multipart/form-data``): any number of file fields,
        and ``format``, ``scheme``, ``dry_run``, ``as_proposals``, ``deprecate_missing``, ``skip_invalid``.
        One transaction; any problem writes nothing: 400 listing every problem in ``errors`` (file, line or
        subject, field, detail), 413 for a file over a limit; ``skip_invalid`` imports the valid entries and
        lists the others. The answer counts what was created, revised, skipped and warned about."""
        require(actor, "admin", "importing vocabularies")
        if request.content_type[0] != "multipart/form-data":
            raise UnsupportedMediaType(detail="upload the files as multipart/form-data")
        form = await read_form(request)
        files, options = [], {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                files.append((value.filename or key, await value.read()))
            else:
                options[key] = str(value)
        if not files:
            raise InvalidInput("upload at least one file (multipart/form-data)", field="files")
        if len(files) > MAX_FILES:
            raise InvalidInput(f"at most {MAX_FILES} files at once", field="files")
        unknown = set(options) - {"format", "scheme", "dry_run", "as_proposals", "deprecate_missing", "skip_invalid"}
        if unknown:
            raise InvalidInput(f"unknown form field {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
        for flag in ("dry_run", "as_proposals", "deprecate_missing", "skip_invalid"):
            if options.get(flag, "") not in FLAGS:
                raise InvalidInput(f"{flag} is one of {', '.join(f or '(empty)' for f in FLAGS)}", field=flag)
        if options.get("scheme") and not SCHEME_ID.fullmatch(options["scheme"]):
            raise InvalidInput(f"scheme {options['scheme']!r} is not a scheme id", field="scheme")
        fmt = options.get("format") or None
        if fmt and fmt not in FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", field="format")
        try:
            report = await anyio.to_thread.run_sync(partial(
                import_files, services.store, files, actor=actor.name, fmt=fmt, scheme=options.get("scheme") or None,
                base_uri=services.settings.uri_base, dry_run=options.get("dry_run") in TRUE,
                as_proposals=options.get("as_proposals") in TRUE,
                deprecate_missing=options.get("deprecate_missing") in TRUE,
                skip_invalid=options.get("skip_invalid") in TRUE,
            ))
        except VocabularyError as exc:
            # the detail names file, line (or RDF subject) and field; ``errors`` lists every problem
            exc.errors = [ImportProblem(file=p.path, line=p.line, field=p.field, detail=p.detail)  # type: ignore[attr-defined]
                          for p in getattr(exc, "problems", None) or [exc]]
            exc.detail = str(exc)
            raise
        if report.revision is not None:
            await anyio.to_thread.run_sync(publish_now, services)
        return Response(report, status_code=200 if report.dry_run else 201)


def exchange_handlers(settings: Settings) -> list[type[Controller]]:
    """The exchange routes; the import route's body bound is the ``import_max_bytes`` setting (413 above)."""
    bounded = type("ImportController", (ImportController,), {"request_max_body_size": settings.import_max_bytes})
    return [ExchangeController, bounded]
