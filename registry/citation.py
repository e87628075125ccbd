"""Citations of record: which sites are an issuer's own, and what a source must carry to be a record.

A source is a bibliographic record first (title, issuer, date, number or code, locator). A URL is kept
only when it is on the issuer's own site: a reprint, a download site or a standards reseller is not a
source, and where the issuer's page is not known the URL stays empty. ``OFFICIAL_HOSTS`` lists the
sites we accept, each with the bodies it belongs to; a host matches itself and its subdomains.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .model import Source

# host → the issuing bodies whose own site it is (names as they are written in our sources' ``issuer``).
# www.gov.cn is the State Council's portal: it publishes the documents of the central bodies as of
# record, so any central issuer may be cited there.
OFFICIAL_HOSTS: dict[str, tuple[str, ...]] = {
    "www.gov.cn": ("*",),
    "cac.gov.cn": ("中央网信办", "国家互联网信息办公室", "中央网络安全和信息化委员会办公室"),
    "moa.gov.cn": ("农业农村部",),
    "ndrc.gov.cn": ("国家发展改革委", "国家发展和改革委员会"),
    "miit.gov.cn": ("工业和信息化部",),
    "samr.gov.cn": ("国家市场监督管理总局", "市场监管总局", "国家标准化管理委员会"),  # std. and openstd. too
    "sac.gov.cn": ("国家标准化管理委员会",),
    "npc.gov.cn": ("全国人民代表大会", "全国人民代表大会常务委员会", "全国人大常委会"),
    "mnr.gov.cn": ("自然资源部",),
    "mwr.gov.cn": ("水利部",),
    "mee.gov.cn": ("生态环境部",),
    "mct.gov.cn": ("文化和旅游部",),
    "moe.gov.cn": ("教育部",),
    "nhc.gov.cn": ("国家卫生健康委员会", "国家卫生健康委"),
    "nhsa.gov.cn": ("国家医疗保障局",),
    "mca.gov.cn": ("民政部",),
    "mofcom.gov.cn": ("商务部",),
    "mps.gov.cn": ("公安部",),
    "mem.gov.cn": ("应急管理部",),
    "cma.gov.cn": ("中国气象局",),
    "lswz.gov.cn": ("国家粮食和物资储备局",),
    "forestry.gov.cn": ("国家林业和草原局",),
    "nrta.gov.cn": ("国家广播电视总局",),
    "mot.gov.cn": ("交通运输部",),
    "nrra.gov.cn": ("国家乡村振兴局",),
    "pbc.gov.cn": ("中国人民银行",),
    "stats.gov.cn": ("国家统计局",),
    # international standards bodies, on their own sites
    "iso.org": ("ISO",),
    "iec.ch": ("IEC",),
    "w3.org": ("W3C",),
}


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def official_host(url: str) -> str | None:
    """The entry of ``OFFICIAL_HOSTS`` that ``url``'s host is, or is a subdomain of; None if none."""
    host = host_of(url)
    for official in OFFICIAL_HOSTS:
        if host == official or host.endswith("." + official) or (official.startswith("www.") and host == official[4:]):
            return official
    return None


def url_message(source: Source) -> str | None:
    """Why ``source.url`` is not on the issuer's own site, or None (no URL is fine)."""
    if not source.url:
        return None
    parts = urlsplit(source.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"URL {source.url!r} is not an http(s) URL"
    official = official_host(source.url)
    if official is None:
        return (f"URL {source.url!r} is not on an issuer's own site (a reprint or reseller is not a source; "
                "leave the URL empty and cite the document)")
    owners = OFFICIAL_HOSTS[official]
    if source.issuer and "*" not in owners and not any(owner in source.issuer for owner in owners):
        return f"URL {source.url!r} is on {official}, not on the site of its issuer {source.issuer!r}"
    return None


# Our own wording: the definition origin of an entry written for this registry.
THIS_REGISTRY = "本登记库"


def is_record(source: Source) -> bool:
    """A source of record: a public document named by its number or standard code (which identifies
    it), or by its title with its issuer and date."""
    return source.document != THIS_REGISTRY and bool(source.number or (source.issuer and source.date))


def record_messages(source: Source) -> list[str]:
    """What ``source`` lacks as a citation: a URL off the issuer's site; a public document without an
    issuer and a date or number; a definition origin that is neither ours nor a document."""
    messages = []
    if message := url_message(source):
        messages.append(message)
    if source.document == THIS_REGISTRY:
        if source.role != "definition":
            messages.append(f"{THIS_REGISTRY!r} is only the origin of a definition (role = \"definition\")")
        if source.url or source.issuer:
            messages.append(f"{THIS_REGISTRY!r} has no issuer or URL")
    elif not is_record(source):
        messages.append(f"source {source.document!r} is not a record: it needs a number or code, or an issuer and a date")
    if source.role == "adapted" and not source.locator:
        messages.append(f"a definition adapted from {source.document!r} names the clause (locator)")
    return messages


__all__ = ("OFFICIAL_HOSTS", "THIS_REGISTRY", "host_of", "is_record", "official_host", "record_messages", "url_message")
