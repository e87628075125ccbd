"""Citations of record: which hosts are an issuer's own site, and what a source must carry."""

from __future__ import annotations

import pytest

from registry.citation import OFFICIAL_HOSTS, THIS_REGISTRY, is_record, official_host, record_messages, url_message
from registry.model import Source


@pytest.mark.parametrize("url", [
    "https://www.gov.cn/zhengce/content/2024.htm",
    "https://www.cac.gov.cn/2024-05/15/c_1.htm",
    "http://www.moa.gov.cn/govpublic/a.htm",
    "https://std.samr.gov.cn/gb/search/gbDetailed?id=1",
    "https://openstd.samr.gov.cn/bzgk/gb/newGbInfo?hcno=1",
    "https://flk.npc.gov.cn/detail2.html?x",
    "https://www.ndrc.gov.cn/a", "https://www.miit.gov.cn/a", "https://www.iso.org/standard/1.html",
])
def test_official_hosts(url):
    assert official_host(url) is not None


@pytest.mark.parametrize("url", [
    "https://txsb.xwboo.com/news/131694.html",  # a reprint of the work points
    "https://gbstandards.icu/s/462422", "https://998pdf.com/57406.html", "https://m.bingdoc.com/p-1.html",
    "https://bzchaxun.com/view/1.html", "https://www.chinesestandard.net/PDF.aspx/GBT36073-2018",
    "https://yzwku.com/doc/1691576.html",
    "https://moa.gov.cn.example.com/a",  # a look-alike: the official name is not the host's suffix
    "https://notmoa.gov.cn.evil/a", "https://evilgov.cn/a",
])
def test_reprints_resellers_and_look_alikes_are_not_official(url):
    assert official_host(url) is None
    assert url_message(Source(document="x", url=url))


def test_a_url_on_another_issuers_site_is_refused_but_the_state_council_portal_takes_any():
    assert url_message(Source(document="x", issuer="农业农村部", url="https://www.moa.gov.cn/a")) is None
    assert url_message(Source(document="x", issuer="农业农村部", url="https://www.miit.gov.cn/a"))
    assert url_message(Source(document="x", issuer="中央网信办、农业农村部", url="https://www.gov.cn/a")) is None
    assert url_message(Source(document="x", url="ftp://www.moa.gov.cn/a"))


def test_records():
    assert is_record(Source(document="数据安全技术 数据分类分级规则", number="GB/T 43697-2024"))
    assert is_record(Source(document="2024年数字乡村发展工作要点", issuer="中央网信办", date="2024-05-16"))
    assert not is_record(Source(document="2024年数字乡村发展工作要点", issuer="中央网信办"))
    assert not is_record(Source(document=THIS_REGISTRY, role="definition"))
    assert record_messages(Source(document=THIS_REGISTRY, role="definition")) == []
    assert record_messages(Source(document=THIS_REGISTRY, role="usage"))
    assert record_messages(Source(document="某法", number="主席令第1号", role="adapted")), "adapted names the clause"
    assert all(host == host.lower() and "/" not in host for host in OFFICIAL_HOSTS)
