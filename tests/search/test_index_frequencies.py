"""The document frequencies written beside a rebuilt segment (``search/index/frequencies.py``) are
whoosh's own, and a definition search scores and ranks the same with them, without them, and on
segments that never had them (live updates, a merge)."""

from __future__ import annotations

from whoosh import index as whoosh_index

from search.analysis import text_tokens
from search.index import SearchIndex
from search.index import frequencies as dfq

from .test_index_segment import _documents

QUERIES = [[text] for text in ("数字", "冷链物流", "农业数据平台", "乡村", "服务", "数据平", "乡村 数据", "平台 服务",
                               "智慧 监测", "数字乡村服务", "没有的词", "数字没有", "cold chain", "farming",
                               "villages", "shuzixiangcun", "gb", "t")]
QUERIES += [["数字", "乡村服务"], ["冷链物流", "智慧农业", "信用"], ["smart farming", "数字"]]


def _pages(index: SearchIndex) -> list:
    return [index.search_text(forms, limit=limit, filters={"scheme": scheme})
            for forms in QUERIES for limit, scheme in ((500, ""), (7, ""), (7, "s1"))]


def _files(folder) -> list:
    return sorted(folder.glob(f"*{dfq.EXTENSION}"))


def test_a_rebuild_writes_whoosh_s_frequencies_of_every_term(tmp_path):
    docs = _documents(400)
    docs[5]["definition"] += " cold-chain logistics of 5g villages"  # Latin words: short and longer ones
    index = SearchIndex(tmp_path / "i")
    index.rebuild(docs, 1)
    (path,) = _files(tmp_path / "i")
    tables = dfq.decode(path.read_bytes())
    assert set(tables) == set(dfq.FIELDS)
    reader = index._searcher.reader()
    checked = 0
    for field in dfq.FIELDS:
        for term in [t.decode() for t in reader.lexicon(field)] + ["没有", "没", "absent", "zz", "a\x00"]:
            found = tables[field].get(term)
            expected = reader.doc_frequency(field, term)
            assert found == expected or (found is None and len(term) > dfq.SHORT and expected), (field, term)
            checked += 1
    assert checked > 50
    index.close()


def test_scores_and_pages_are_the_same_with_and_without_the_file(tmp_path):
    docs = _documents(300)
    index = SearchIndex(tmp_path / "i")
    index.rebuild(docs[:200], 1)
    with_file = _pages(index)
    assert sum(len(page) for page in with_file) > 300
    index.close()
    for path in _files(tmp_path / "i"):
        path.unlink()
    index = SearchIndex(tmp_path / "i")
    assert _pages(index) == with_file  # whoosh's term table read instead
    index.close()


def test_segments_without_the_file_are_read_through_whoosh(tmp_path):
    """Live updates (whoosh's writer: segments without the file, deletions in the rebuilt one) give the
    same pages with the rebuilt segment's file as without it (``test_index_segment`` compares them with
    whoosh's searcher); a merge of every segment drops the file with the rebuilt segment."""
    docs = _documents(300)
    live = SearchIndex(tmp_path / "live")
    live.rebuild(docs[:200], 1)
    live.apply(docs[200:], 2)
    live.apply([{**docs[n], "definition": "数字乡村服务"} for n in (3, 120, 260)], 3)
    assert len(live._searcher.leaf_searchers()) >= 2 and len(_files(tmp_path / "live")) == 1
    with_file = _pages(live)
    live.close()
    for path in _files(tmp_path / "live"):
        path.unlink()
    live = SearchIndex(tmp_path / "live")
    assert _pages(live) == with_file
    live.close()
    whoosh_index.open_dir(tmp_path / "live", indexname="shuyu").optimize()
    merged = SearchIndex(tmp_path / "merged")
    merged.rebuild(docs, 3)
    assert len(_files(tmp_path / "merged")) == 1
    merged.apply(docs[:10], 4)
    merged.close()
    whoosh_index.open_dir(tmp_path / "merged", indexname="shuyu").optimize()
    assert _files(tmp_path / "merged") == []  # whoosh deleted it with its segment
    merged = SearchIndex(tmp_path / "merged")
    assert merged.search_text(["数字"], limit=5)
    merged.close()


def test_a_definition_search_reads_no_term_table_for_a_rebuilt_segment(tmp_path, monkeypatch):
    index = SearchIndex(tmp_path / "i")
    index.rebuild(_documents(200), 1)
    asked: list[str] = []
    reader_type = type(index._searcher.leaf_searchers()[0][0].reader())
    original = reader_type.doc_frequency
    monkeypatch.setattr(reader_type, "doc_frequency", lambda self, field, text: asked.append(text) or original(self, field, text))
    index.search_text(["数字乡村", "没有的词", "shuzixiangcun"], limit=10)
    # whoosh's idf asks for held terms; a token in no document is answered by the table alone
    assert not set(asked) & {*text_tokens("没有的词"), "shuzixiangcun"}, asked
    index.close()
