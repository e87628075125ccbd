"""Slow inputs: each path an outside user or an editor reaches, timed on an adversarial input at n, 2n,
4n and 8n up to its bound, with the ratio per doubling (about 2 is linear, about 4 quadratic). Runs
against any checkout (the paths are called as they were before the fixes of 2026-12-06 too):

    python -m tests.bench.bench_slow_inputs            # every path
    python -m tests.bench.bench_slow_inputs toml chain # those whose name holds a word given

A size whose run passes ``GIVE_UP`` seconds ends its path's row; an exception is shown in its place.
"""

from __future__ import annotations

import itertools
import logging
import sys
import tempfile
import time
from collections.abc import Callable

GIVE_UP = 30.0


def _row(name: str, sizes: list[int], make: Callable[[int], Callable[[], object]], unit: str = "") -> None:
    cells, last = [], None
    for n in sizes:
        run = make(n)
        started = time.perf_counter()
        try:
            run()
            took = time.perf_counter() - started
            cells.append(f"{n:,}{unit}: {took:.3f} s" + (f" (x{took / last:.1f})" if last else ""))
            last = took
        except Exception as exc:  # noqa: BLE001 - shown, not raised: the row says what broke
            cells.append(f"{n:,}{unit}: {type(exc).__name__}")
            last = None
            continue
        if took > GIVE_UP:
            break
    print(f"{name:38s} " + "   ".join(cells), flush=True)


def check_page(client) -> Callable[[int], Callable[[], object]]:
    """POST /check (the web page) of a draft writing one long label in many mixes of the two scripts."""
    from registry.text import converter

    catalog = client.app.state.services.catalog
    s2t = converter("s2t").convert
    label = max((c.preferred for c in catalog.concepts.values() if len(s2t(c.preferred)) == len(c.preferred)),
                key=lambda p: (sum(a != b for a, b in zip(p, s2t(p))), p))  # the most forms (2^15 in the bundle)
    forms = ["".join(f) for f in itertools.product(*[dict.fromkeys(pair) for pair in zip(label, s2t(label))])]

    def make(size: int) -> Callable[[], object]:
        parts, total = [], 0
        for form in itertools.cycle(forms):
            if total >= size:
                break
            parts.append(form + "，")
            total += len(parts[-1].encode())
        text = "".join(parts)
        return lambda: client.post("/check", data={"text": text, "draft_script": "zh-Hans"}).raise_for_status()

    return make


def toml_ids(size: int) -> Callable[[], object]:
    """A TOML import whose definition is a multi-line string of ``id = "x"`` lines."""
    from vocab.formats import Context, read

    head = '[scheme]\nid = "s1"\ntitle = "测试"\n\n[[concept]]\nid = "c1"\npref = "数据"\ndefinition = """\n'
    data = (head + 'id = "x"\n' * (size // 9) + '"""\n').encode()
    return lambda: read(data, "big.toml", "toml", Context())


def chain(n: int) -> Callable[[], object]:
    """The registry's rules over an import of ``n`` concepts, each under the one before."""
    from registry.model import ConceptVersion, Term
    from registry.rules import BatchState, check_versions

    def concept(i: int) -> ConceptVersion:
        return ConceptVersion(id=f"c{i}", scheme="s", terms=(Term(text=f"概念{i}", lang="zh-Hans", type="preferred"),),
                              broader=(f"c{i - 1}",) if i else ())

    batch = [concept(i) for i in range(n)]
    return lambda: check_versions(batch, BatchState(batch, ("s",)))


def error_detail(n: int) -> Callable[[], object]:
    """A web page's error detail quoting an ``n``-letter word (an id in the address)."""
    from api.web.messages import detail

    return lambda: detail("no concept " + "a" * n, "not-found")


def comment(n: int) -> Callable[[], object]:
    """A comment body of ``n`` letters and a NUL, decoded (refused by its pattern)."""
    import msgspec

    from api.editorial import CommentIn

    body = b'{"text": "' + b"a" * (n - 1) + b'\\u0000"}'

    def run() -> None:
        try:
            msgspec.json.decode(body, type=CommentIn)
        except msgspec.ValidationError:
            pass

    return run


def deep_tree(n: int) -> Callable[[], object]:
    """A scheme's tree of a chain of ``n`` concepts, each under the one before."""
    from api.web.browse import scheme_tree
    from registry.model import ConceptVersion, Term

    class Concepts(dict):
        def ids_where(self, scheme_id):
            return list(self)

    class Catalog:
        concepts = Concepts((f"c{i}", ConceptVersion(id=f"c{i}", scheme="s", terms=(
            Term(text=f"概念{i}", lang="zh-Hans", type="preferred"),), broader=(f"c{i - 1}",) if i else ()))
            for i in range(n))

    return lambda: scheme_tree(Catalog(), "s")


def tbx_nested(size: int) -> Callable[[], object]:
    """A TBX import of 250 notes nested in a term section around ``size`` bytes of text."""
    from vocab.formats import Context, read

    head = ('<?xml version="1.0" encoding="utf-8"?>\n<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:'
            'iso:30042:ed:3.0"><tbxHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></tbxHeader><text><body>'
            '<conceptEntry id="c1"><langSec xml:lang="zh"><termSec><term>数据</term>')
    data = (head + "<note>" * 250 + "x " * (size // 2) + "</note>" * 250
            + "</termSec></langSec></conceptEntry></body></text></tbx>").encode()
    return lambda: read(data, "deep.tbx", "tbx", Context())


def clause_code(n: int) -> Callable[[], object]:
    """The clause's reading of a standard code: ``T/`` and ``n`` digits, unmatched at the end."""
    from drafting.clause import CODE

    text = "T/" + "1" * n + "x"
    return lambda: CODE.match(text)


def main(words: list[str]) -> None:
    logging.disable(logging.CRITICAL)
    wanted = lambda name: not words or any(w in name for w in words)  # noqa: E731
    print(f"slow inputs, {time.strftime('%Y-%m-%d %H:%M')}; seconds per size, ratio to the size before")
    if wanted("check page"):
        from litestar.testing import TestClient

        from api.app import create_asgi
        from api.settings import Settings

        with tempfile.TemporaryDirectory() as folder, \
                TestClient(create_asgi(Settings(data_dir=folder, sync_interval=60, check_per_minute=0))) as client:
            _row("check page, one label's script mixes", [125_000, 250_000, 500_000, 1_000_000], check_page(client), " B")
    rows = [("toml import, id lines in a string", [25_000, 50_000, 100_000, 200_000], toml_ids, " B"),
            ("rules, a chain of concepts", [1_000, 2_000, 4_000, 8_000], chain, ""),
            ("error page detail, a long word", [1_000, 2_000, 4_000, 8_000], error_detail, " chars"),
            ("comment body, letters and a NUL", [625, 1_250, 2_500, 5_000], comment, " chars"),
            ("scheme tree, a chain of concepts", [500, 1_000, 2_000, 4_000], deep_tree, ""),
            ("tbx import, 250 nested notes", [250_000, 500_000, 1_000_000, 2_000_000], tbx_nested, " B"),
            ("clause code, T/ and digits", [1_000, 2_000, 4_000, 8_000], clause_code, " digits")]
    for name, sizes, make, unit in rows:
        if wanted(name):
            _row(name, sizes, make, unit)


if __name__ == "__main__":
    main(sys.argv[1:])
