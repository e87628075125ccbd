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
