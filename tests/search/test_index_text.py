"""The definitions index: a query form is every one of its tokens; a form with a token no definition
holds is left out without changing the other forms' hits or their scores."""

from __future__ import annotations

from search.index import SearchIndex


def doc(i: int, definition: str, english: str = "") -> dict[str, str]:
    return {"id": f"c{i}", "kind": "concept", "scheme": "s", "status": "published", "grade": "", "standard": "",
            "definition": definition, "definition_en": english}


def test_forms_with_an_unindexed_token_are_left_out_and_the_rest_answer_as_before(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild([doc(1, "数字乡村建设的基础设施"), doc(2, "智慧农业平台"), doc(3, "乡村数字治理", "digital village")], 1)
    both = index.search_text(["数字乡村"])
    assert [i for i, _ in both] == ["c1"]
    assert index.search_text(["数字乡村", "数字鱼塘"]) == both  # 鱼塘 is in no definition: same hits, same scores
    assert index.search_text(["鱼塘"]) == []
    assert index.search_text(["乡村数字"]) == [("c3", index.search_text(["乡村数字"])[0][1])]
    assert [i for i, _ in index.search_text(["digital villages"])] == ["c3"]  # English by stem
    assert index.search_text(["digital fishpond"]) == []
    index.close()


def test_tokens_each_common_but_never_together_find_nothing_until_a_document_holds_them_all(tmp_path):
    """The conjunction is checked rarest token first before whoosh ranks anything: two tokens in many
    documents each (postings in blocks, not inline) but never in one find nothing, as whoosh's own
    query does; a later segment holding both is found, and so is nothing once it is replaced."""
    from whoosh import index as whoosh_index
    from whoosh import query as q

    docs = [doc(i, "冷链运输的温度记录") for i in range(40)] + [doc(i, "物流园区的仓储管理") for i in range(40, 80)]
    index = SearchIndex(tmp_path / "index")
    index.rebuild(docs, 1)
    assert [len(index.search_text([w], limit=100)) for w in ("冷链", "物流")] == [40, 40]
    assert index.search_text(["冷链 物流"]) == []
    plain = whoosh_index.open_dir(tmp_path / "index", indexname="shuyu").searcher()
    assert len(plain.search(q.And([q.Term("definition", "冷链"), q.Term("definition", "物流")]))) == 0
    plain.close()

    index.apply([doc(80, "冷链物流的全程监测")], 2)  # a second segment
    assert [i for i, _ in index.search_text(["冷链 物流"])] == ["c80"]
    assert [i for i, _ in index.search_text(["冷链 物流 监测"])] == ["c80"]
    index.apply([doc(80, "冷链仓储的全程监测")], 3)  # replaced: the old version is deleted
    assert index.search_text(["冷链 物流"]) == []
    index.close()


def test_a_query_s_english_stems_are_those_of_the_schema_s_analyzer():
    """``token_texts`` of the definition_en analyzer (written out) gives what whoosh's own chain gives: on
    every English label and definition word of the bundled vocabulary, pinyin, stop words, sizes, case,
    marks and the tokenizer's own separators; another analyzer is called as it is."""
    from whoosh.analysis import SimpleAnalyzer

    from search.index.schema import make_schema, token_texts
    from vocab.loader import bundled_files, read_bundle

    analyzer = make_schema()["definition_en"].analyzer
    texts = [t.text for c in read_bundle(bundled_files()).concepts() for t in c.terms if t.lang == "en"]
    texts += [c.definition for c in read_bundle(bundled_files()).concepts()]
    assert len(texts) > 1000
    texts += ["shuzixiangcun", "The Internet of Things", "a an of to", "x", "I/O 5G DV-3.2", "Naïve café ǖ",
              "a.b.c x*y **", "RUNNING runs ran", "", "   ", "数字乡村 digital", "e.g. U.S.A.", "don't"]
    quick = token_texts(analyzer)
    for text in texts:
        assert quick(text) == [t.text for t in analyzer(text)], text
    plain = SimpleAnalyzer()
    assert token_texts(plain)("Plain Words") == ["plain", "words"]
