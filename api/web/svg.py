"""Small pictures drawn on the server as SVG: a concept's neighbourhood, a standard's lifecycle, the
categories per grade. Each is an image with a title and a description; the page next to it carries
the same facts as text (lists and tables) for screen readers and for copying."""

from __future__ import annotations

from html import escape
from itertools import count

from markupsafe import Markup

WIDTH = 640
_ids = count(1)


def _svg(height: int, title: str, desc: str, body: list[str]) -> Markup:
    n = next(_ids)
    return Markup(
        f'<svg class="picture" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="svg{n}t svg{n}d" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="svg{n}t">{escape(title)}</title>'
        f'<desc id="svg{n}d">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _fit(text: str, width: float, size: int = 14) -> str:
    """Cut a label to what fits a box (CJK characters are about one em wide)."""
    room = max(2, int((width - 12) / size))
    return text if len(text) <= room else text[: room - 1] + "…"


def _row(items: list[str], y: int, css: str) -> tuple[list[str], list[float]]:
    shown = items[:6] if len(items) <= 6 else [*items[:5], f"等 {len(items) - 5} 个"]
    slot = WIDTH / max(len(shown), 1)
    box = min(slot - 12, 170)
    parts, centers = [], []
    for i, label in enumerate(shown):
        cx = slot * i + slot / 2
        centers.append(cx)
        parts.append(f'<rect class="{css}" x="{cx - box / 2:.0f}" y="{y}" width="{box:.0f}" height="36" rx="6"/>'
                     f'<text x="{cx:.0f}" y="{y + 23}" text-anchor="middle">{escape(_fit(label, box))}</text>')
    return parts, centers


def neighbourhood(center: str, broader: list[str], narrower: list[str], related: list[str],
                  names: dict[str, str]) -> Markup:
    """Broader above, narrower below, related at the bottom (dashed), the concept in the middle."""
    rows = [("broader", broader), ("center", [center]), ("narrower", narrower), ("related", related)]
    rows = [(kind, items) for kind, items in rows if items]
    body: list[str] = []
    y = 10
    placed: dict[str, tuple[int, list[float]]] = {}
    for kind, items in rows:
        parts, centers = _row(items, y, "node " + kind)
        placed[kind] = (y, centers)
        body.extend(parts)
        y += 80
    cy, (cx,) = placed["center"][0], placed["center"][1]
    lines = []
    for kind, (ry, centers) in placed.items():
        if kind == "center":
            continue
        for x in centers:
            y1, y2 = (ry + 36, cy) if ry < cy else (cy + 36, ry)
            dash = ' stroke-dasharray="5 4"' if kind == "related" else ""
            lines.append(f'<line x1="{cx:.0f}" y1="{y1}" x2="{x:.0f}" y2="{y2}"{dash}/>')
    desc = "；".join(f"{names[kind]}：{'、'.join(items)}" for kind, items in rows if kind != "center")
    return _svg(y - 34, f"{center} 的概念关系图", desc or "没有关联概念", lines + body)


def timeline(stages: list[tuple[str, str, str | None, bool]], title: str) -> Markup:
    """The lifecycle as a line of stages: (code, name, date, reached); the last reached one is current."""
    step = WIDTH / len(stages)
    reached = [s for s in stages if s[3]]
    current = reached[-1][0] if reached else None
    body = [f'<line x1="{step / 2:.0f}" y1="30" x2="{WIDTH - step / 2:.0f}" y2="30"/>']
    for i, (code, name, date, done) in enumerate(stages):
        x = step * i + step / 2
        css = "stage current" if code == current else "stage done" if done else "stage"
        body.append(f'<circle class="{css}" cx="{x:.0f}" cy="30" r="{11 if code == current else 8}"/>'
                    f'<text x="{x:.0f}" y="64" text-anchor="middle">{escape(name)}</text>')
        if date:
            body.append(f'<text class="date" x="{x:.0f}" y="84" text-anchor="middle">{escape(date)}</text>')
    desc = "；".join(f"{name}{' ' + date if date else ''}" for _, name, date, done in stages if done) or "尚未开始"
    return _svg(96, title, desc, body)


def bar_chart(bars: list[tuple[str, int]], title: str) -> Markup:
    """Horizontal bars with their counts."""
    most = max((n for _, n in bars), default=0) or 1
    body = []
    for i, (name, n) in enumerate(bars):
        y = 10 + i * 40
        width = (WIDTH - 200) * n / most
        body.append(f'<text x="90" y="{y + 21}" text-anchor="end">{escape(name)}</text>'
                    f'<rect class="bar bar{i}" x="100" y="{y}" width="{width:.0f}" height="28" rx="3"/>'
                    f'<text x="{110 + width:.0f}" y="{y + 21}">{n}</text>')
    return _svg(20 + 40 * len(bars), title, "；".join(f"{name} {n}" for name, n in bars), body)
