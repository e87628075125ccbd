"""A rebuild writes the segment whoosh's own writer would: the same terms, postings, weights, field
lengths and stored fields, whether a term's postings are inline or in a block."""

from __future__ import annotations

import random

from search.analysis import text_tokens
from search.index import INLINE_LIMIT, SearchIndex


def _documents(n: int) -> list[dict[str, str]]:
    rng = random.Random(7)
    words = ["数字", "乡村", "农业", "数据", "平台", "治理", "服务", "冷链", "物流", "监测", "智慧", "信用"]
    docs = []
    for i in range(n):
        text = "".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        doc = {"id": f"c-{i:04d}", "kind": rng.choice(["concept", "standard"]), "scheme": f"s{i % 3}",
               "status": "published", "definition": text + ("。" if i % 2 else "")}
        if i % 4 == 0:
            doc["definition_en"] = rng.choice(["digital villages", "cold chain logistics", "smart farming"])
        if i % 5 == 0:
            doc["standard"] = "GB/T 1 GB/T 2"
        if i % 7 == 0:
            doc["grade"] = "core" if i % 2 else ""
        docs.append(doc)
    return docs


def test_a_rebuild_writes_what_whoosh_would(tmp_path):
    docs = _documents(400)
    ours = SearchIndex(tmp_path / "ours")
    ours.rebuild(docs, 1)
    whooshs = SearchIndex(tmp_path / "whoosh")
    assert whooshs.apply(docs, 1)  # whoosh's own writer, one document at a time
    contents = list(ours.contents())
    assert contents == list(whooshs.contents())
    # both kinds of term are there: rare ones (inline) and ones in INLINE_LIMIT documents or more
    frequencies = [entry[3] for entry in contents if len(entry) == 9]
    assert min(frequencies) == 1 and max(frequencies) >= INLINE_LIMIT * 4
    assert len(contents) > 400 * 5
    ours.close()
    whooshs.close()


def test_whoosh_merges_a_rebuilt_segment_without_losing_a_posting(tmp_path):
    """whoosh's own writer reads a rebuilt segment (inline postings included) when it merges segments:
    after updates and a full merge, the index holds exactly what one built at once from the same
    documents does."""
    from whoosh import index as whoosh_index

    docs = _documents(400)
    index = SearchIndex(tmp_path / "merged")
    index.rebuild(docs[:300], 1)
    assert index.apply(docs[300:], 2)
    index.close()
    whoosh_index.open_dir(tmp_path / "merged", indexname="shuyu").optimize()  # one segment: every posting read
    merged = SearchIndex(tmp_path / "merged")
    whole = SearchIndex(tmp_path / "whole")
    whole.rebuild(docs, 2)
    assert list(merged.contents()) == list(whole.contents())
    merged.close()
    whole.close()


def test_an_index_rebuilt_from_nothing_is_empty_and_searchable(tmp_path):
    index = SearchIndex(tmp_path / "i")
    assert index.rebuild([], 3) == 0
    assert index.doc_count() == 0 and index.revision == 3
    assert index.search_text(["数字乡村"]) == []
    index.close()


def test_scores_and_order_are_whoosh_s_own(tmp_path):
    """The index keeps field lengths in memory and scores matches without whoosh's collector; every
    page is still whoosh's own: the same documents, scores and order (score, then document number),
    with and without a filter, on one segment (a rebuild) and on several (updates after it, some
    replacing documents, so some segments have deletions)."""
    from whoosh import index as whoosh_index
    from whoosh import query as q

    docs = _documents(300)
    index = SearchIndex(tmp_path / "i")
    index.rebuild(docs[:200], 1)
    index.apply(docs[200:250], 2)
    index.apply(docs[250:], 3)
    index.apply([{**docs[n], "definition": "数字乡村服务"} for n in (3, 120, 260)], 4)  # deletes their old versions
    plain = whoosh_index.open_dir(tmp_path / "i", indexname="shuyu").searcher()
    assert len(plain.reader().leaf_readers()) >= 2
    column = plain.reader().column_reader("id")
    compared = 0
    # one form: one token (blocks scored as read), several (scored from the postings the conjunction
    # check read, in whoosh's order of addition); several forms (whoosh's matchers, a union of them)
    queries = [[text] for text in ("数字", "冷链物流", "农业数据平台", "乡村", "服务", "数据平", "乡村 数据", "平台 服务",
                                   "智慧 监测", "数字乡村服务")]
    queries += [["数字", "乡村服务"], ["冷链物流", "智慧农业", "信用"]]
    for forms in queries:
        expected_query = q.Or([q.And([q.Term("definition", t) for t in dict.fromkeys(text_tokens(f))]) for f in forms])
        for limit, scheme in ((500, ""), (7, ""), (7, "s1")):
            ours = index.search_text(forms, limit=limit, filters={"scheme": scheme})
            expected = plain.search(expected_query, limit=limit, filter=q.Term("scheme", scheme) if scheme else None)
            assert ours == [(column[hit.docnum], hit.score) for hit in expected], forms
            compared += len(ours)
    assert compared > 300
    ids = index._searcher_cache().ids  # read in one piece per segment: whoosh's own, document by document
    assert [ids[n] for n in range(plain.reader().doc_count_all())] == list(column)
    plain.close()
    index.close()


def test_posting_blocks_decode_as_whoosh_decodes_them(tmp_path):
    """Scoring reads a posting block's ids and weights itself: for every block of every term (weights
    all 1.0, one value for the block, or one per posting), the same as whoosh's own matcher reads."""
    from collections import Counter

    from whoosh.codec.whoosh3 import W3LeafMatcher

    from search.index.adapter import block_postings

    index = SearchIndex(tmp_path / "i")
    index.rebuild(_documents(300), 1)
    reader = index._searcher.reader()
    kinds: Counter[str] = Counter()
    for name, tbytes in reader.all_terms():
        matcher = reader.postings(name, tbytes)
        if type(matcher) is not W3LeafMatcher:
            continue  # inline: whoosh's list matcher
        while matcher.is_active():
            ours = list(block_postings(matcher))
            weights = matcher._data[1]
            kinds["ones" if weights is None else "one" if isinstance(weights, float) else "each"] += 1
            matcher.id(), matcher.weight()
            assert ours == list(zip(matcher._ids, matcher._weights)), (name, tbytes)
            matcher._next_block()
    assert set(kinds) == {"ones", "one", "each"}, kinds
    index.close()


def test_whoosh_internals_are_reached_in_the_adapter_only():
    """Outside ``search/index/adapter.py`` (at most 150 lines) the index uses whoosh's public modules,
    and no private attribute of anything but its own objects; the tests above guard what the adapter
    reads and writes."""
    import ast
    from pathlib import Path

    import search.index

    public = {"whoosh", "whoosh.analysis", "whoosh.fields", "whoosh.formats", "whoosh.index", "whoosh.filedb.filestore"}
    folder = Path(search.index.__file__).parent
    adapter = folder / "adapter.py"
    assert len(adapter.read_text().splitlines()) <= 150
    for path in sorted(folder.glob("*.py")):
        if path == adapter:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
                assert node.module in public, (path.name, node.module)
                assert not any(alias.name.startswith("_") or alias.name == "TOC" for alias in node.names), path.name
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                assert isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"), (path.name, node.lineno)


def test_the_term_table_s_hashes_and_kept_lengths_are_whoosh_s():
    """What the rebuild computes in bulk where whoosh computes per key or per document: the term table's md5
    hashes and hash tables (``HashWriter._write_hashes``), and a field length as the codec keeps it."""
    import io

    from whoosh.filedb.filetables import OrderedHashWriter, md5_hash
    from whoosh.filedb.structfile import StructFile
    from whoosh.util.numeric import byte_to_length, length_to_byte

    from search.index.segment import kept_length
    from search.index.term_layout import hash_tables, md5_hashes

    lengths = [*range(1, 3000), *range(3000, 200_000, 97), 106_373, 106_374, 106_375, 10**7]
    assert [kept_length(n) for n in lengths] == [byte_to_length(length_to_byte(n)) for n in lengths]
    keys = sorted({f"{i * 7919 % 5003}-数据".encode() for i in range(5000)})
    hashes = md5_hashes(keys)
    assert list(hashes) == [md5_hash(key) for key in keys]
    out = io.BytesIO()
    table = OrderedHashWriter(StructFile(out))
    starts = [20 + 24 * i for i in range(len(keys))]
    for hashed, start in zip(hashes, starts):
        table.buckets[hashed & 255].append((hashed, start))
    at = table.dbfile.tell()
    table._write_hashes()
    data, directory = hash_tables(hashes, starts, at)
    assert out.getvalue()[at:] == data and table.directory == directory


def test_a_term_in_one_document_gets_the_row_the_codec_makes():
    """``OneDocumentRows`` cuts rows where they vary: each row equal to one made whole, as ``add_term`` makes a
    term's inline row (documents whose numbers pickle in 1, 2 and 4 bytes, values of every kind)."""
    from pickle import dumps

    from whoosh.codec.whoosh3 import W3TermInfo

    from search.index.adapter import LENGTH_OF_BYTE
    from search.index.term_layout import OneDocumentRows

    to_byte = {None: 0, **{length: byte for byte, length in enumerate(LENGTH_OF_BYTE)}, 0: 0}.__getitem__
    info = W3TermInfo._struct.pack
    rows = OneDocumentRows(info, to_byte)
    for doc in (0, 1, 255, 256, 65535, 65536, 2**31 - 1, 7, 0):
        for weight, value, length in ((1.0, b"\x00\x00\x00\x01", 0), (1.0, b"\x00\x00\x00\x01", 1), (3.0, b"", LENGTH_OF_BYTE[200]),
                                      (2.5, b"\xff\x80", 5), (1.0, b"\x00\x00\x00\x01", 1)):
            byte = to_byte(length)
            whole = info(1, weight, 1, byte, byte, weight, doc, doc) + dumps(((doc,), (weight,), (value,)), 2)
            assert rows.row(doc, weight, value, length) == whole, (doc, weight, value, length)
