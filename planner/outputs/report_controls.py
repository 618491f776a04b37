"""The report's sections on the site controls: the stations closed (``close``) and what
their closing loses, the moves (``relocate``), and each phase's figures (``phases``); each
empty when the plan has none."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .i18n import escape as _e
from .i18n import pct
from .summary import PlanSummary

#: The sections' words, English and Chinese.
LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "en": {
        "closed": "Stations that close", "id": "ID", "name": "Name", "why": "Why",
        "close": "asked to close", "relocate": "moved to a better site",
        "with": "With them", "without": "Without them", "lost": "Lost",
        "fill": "The suggested sites are chosen to fill the gap they leave.",
        "moves": "Moving stations", "most": "At most {n} station{s} may move.",
        "shut": "Close", "open": "Open", "none": "none", "today": "Today",
        "after": "After the moves and new sites", "gained": "Gained",
        "vs": "Against the best plan found that moves no station, the objective improves by "
        "{v:+g}.", "saved": "Moving {n} station{s} meets the goal with {k:g} new site{t} "
        "instead of {m:g}.", "move": "Move", "to": "to", "new": "New sites",
        "unsaved": "Moving no station saves a site ({m:g} new sites either way).",
        "phases": "Phases", "phase": "Phase", "sites": "Sites open",
        "ids": "Site IDs", "best": "Distance from the best plan of as many sites",
        "proven": "proven", "circle": "{m} min",
    },
    "zh": {
        "closed": "关闭的驿站", "id": "编号", "name": "名称", "why": "原因",
        "close": "按要求关闭", "relocate": "迁往更优选址", "with": "保留时",
        "without": "关闭后", "lost": "失去", "fill": "建议新址的选择会填补其留下的空缺。",
        "moves": "驿站迁址", "most": "最多可迁移 {n} 个驿站。", "shut": "关闭", "open": "新开",
        "none": "无", "today": "现状", "after": "迁址并加上建议新址后", "gained": "提升",
        "vs": "与不迁移任何驿站的最佳方案相比，目标值改善 {v:+g}。",
        "saved": "迁移 {n} 个驿站后，达到目标只需 {k:g} 个新站点（不迁移需 {m:g} 个）。",
        "move": "迁移", "to": "迁至", "new": "新增站点", "phases": "分期建设",
        "unsaved": "迁移驿站不能减少新站点（均需 {m:g} 个）。",
        "phase": "建设期", "sites": "已开站点数", "ids": "站点编号",
        "best": "与同等数量站点最佳方案的差距", "proven": "已证明", "circle": "{m}分钟",
    },
})  # fmt: skip


def _circles(labels: list[str], w: Mapping[str, str]) -> str:
    return "".join(f"<th>{_e(w['circle'].format(m=m))}</th>" for m in labels)


def closed(s: PlanSummary, lang: str) -> str:
    """The stations that close (by ``close`` or by the moves) and, with ``close``, the share
    of demand within each threshold with them, without them, and lost."""
    if not s.closed:
        return ""
    w = LABELS[lang]
    rows = "".join(
        f"<tr><td class='t'>{_e(c.id)}</td><td class='t'>{_e(c.name)}</td>"
        f"<td class='t'>{_e(w.get(c.by, c.by))}</td></tr>"
        for c in s.closed
    )
    out = (
        f"<h2>{_e(w['closed'])}</h2><table class='closed'><thead><tr><th>{_e(w['id'])}</th>"
        f"<th>{_e(w['name'])}</th><th>{_e(w['why'])}</th></tr></thead><tbody>{rows}"
        "</tbody></table>"
    )
    loss = s.closing
    if loss is None:
        return out
    labels = list(loss.lost)
    body = "".join(
        f"<tr><td class='t'>{_e(w[key])}</td>"
        + "".join(f"<td>{pct(figures[m])}</td>" for m in labels)
        + "</tr>"
        for key, figures in (("with", loss.share_with), ("without", loss.share_without),
                             ("lost", loss.lost))
    )  # fmt: skip
    return (
        f"{out}<table class='closing'><thead><tr><th></th>{_circles(labels, w)}</tr></thead>"
        f"<tbody>{body}</tbody></table><p>{_e(w['fill'])}</p>"
    )


def moves(s: PlanSummary, lang: str) -> str:
    """With ``relocate``: which stations close and which sites open, the coverage today,
    after and gained, and the gain against moving no station."""
    r = s.relocation
    if r is None:
        return ""
    w = LABELS[lang]
    labels = list(r.coverage_after)
    body = "".join(
        f"<tr><td class='t'>{_e(w[key])}</td>"
        + "".join(f"<td>{figures[m]:{sign}.1%}</td>" for m in labels)
        + "</tr>"
        for key, figures, sign in (("today", r.coverage_today, ""),
                                   ("after", r.coverage_after, ""),
                                   ("gained", r.coverage_gained, "+"))
    )  # fmt: skip
    pairs = "; ".join(f"{a} {w['to']} {b}" for a, b in zip(r.closed, r.moved_to, strict=False))
    if r.sites_saved is None:
        verdict = w["vs"].format(v=r.value_gained_by_moving)
    elif not r.closed or r.sites_saved <= 0:
        verdict = w["unsaved"].format(m=r.value_without_moves)
    else:
        m = r.value_without_moves
        k, n = m - r.sites_saved, len(r.closed)
        verdict = w["saved"].format(n=n, k=k, m=m, s="s" * (n != 1), t="s" * (k != 1))
    return (
        f"<h2>{_e(w['moves'])}</h2><p>{_e(w['most'].format(n=r.most, s='s' * (r.most != 1)))} "
        f"{_e(w['shut'])}: {_e(', '.join(r.closed) or w['none'])}. "
        f"{_e(w['open'])}: {_e(', '.join(r.opened) or w['none'])}.</p>"
        f"<p>{_e(w['move'])}: {_e(pairs or w['none'])}. "
        f"{_e(w['new'])}: {_e(', '.join(r.new_sites) or w['none'])}.</p>"
        f"<table class='moves'><thead><tr><th></th>{_circles(labels, w)}</tr></thead>"
        f"<tbody>{body}</tbody></table><p>{_e(verdict)}</p>"
    )


def phases(s: PlanSummary, lang: str) -> str:
    """Each phase: the sites open after it, the share of demand within each threshold, and
    how far it is from the best plan of as many sites that need not keep earlier phases."""
    if not s.phases:
        return ""
    w = LABELS[lang]
    labels = list(s.phases[0].coverage)
    rows = "".join(
        f"<tr><td>{p.phase}</td><td>{p.sites}</td><td class='t'>{_e(', '.join(p.site_ids))}</td>"
        + "".join(f"<td>{pct(p.coverage[m])}</td>" for m in labels)
        + f"<td>{p.gap_to_unconstrained:.2%}</td></tr>"
        for p in s.phases
    )
    return (
        f"<h2>{_e(w['phases'])}</h2><table class='phases'><thead><tr>"
        f"<th>{_e(w['phase'])}</th><th>{_e(w['sites'])}</th><th>{_e(w['ids'])}</th>"
        f"{_circles(labels, w)}<th>{_e(w['best'])}</th></tr></thead><tbody>{rows}"
        "</tbody></table>"
    )
