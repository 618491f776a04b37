"""``region_report.html``: the region in one page: how many districts were planned, each
threshold's goal met in how many districts today and with the suggested sites, one table of
every district's figures and needs, and the failed districts with their error. Every user
string is HTML-escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from . import region_table
from .i18n import escape as _e
from .i18n import html_lang, pct
from .region_map import _href
from .report import STYLE

Labels = Mapping[str, str]


def report_html(table: pd.DataFrame, *, minutes: Sequence[float], lang: str) -> str:
    """The page (the table as :func:`.region_table.checked` returns it), in ``lang``."""
    lab = region_table.labels(lang)
    return "\n".join(
        [
            f'<!DOCTYPE html>\n<html lang="{html_lang(lang)}"><head><meta charset="utf-8">\n'
            f"<title>{_e(lab['title'])}</title>\n<style>{STYLE}\n"
            ".met{color:#007a5a;font-weight:bold}.unmet{color:#b34700;font-weight:bold}"
            "</style></head>\n"
            f"<body><h1>{_e(lab['title'])}</h1>",
            _overview(table, minutes, lab),
            _table(table, minutes, lab),
            _failed(table, lab),
            f'<p class="note">{_e(lab["credit"])}</p>',
            "</body></html>\n",
        ]
    )


def _overview(table: pd.DataFrame, minutes: Sequence[float], lab: Labels) -> str:
    status = table["status"]
    done = table[status == "done"]
    lines = [
        lab["counts"].format(
            n=len(table),
            done=int((status == "done").sum()),
            empty=int((status == "no hotspots").sum()),
            failed=int((status == "failed").sum()),
        ),
        lab["needs"].format(k=int(done["sites_suggested"].sum())),
    ]
    for m in region_table.threshold_labels(minutes):
        goals = sorted({pct(g) for g in done[f"goal_{m}"].dropna()})
        lines.append(
            lab["goal_line"].format(
                m=m,
                goal=" / ".join(goals) or "–",
                today=int(done[f"met_today_{m}"].astype(bool).sum()),
                after=int(done[f"met_after_{m}"].astype(bool).sum()),
                n=len(done),
            )
        )
    return "".join(f"<p>{_e(line)}</p>" for line in lines)


def _met(value: object, lab: Labels) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return "<td></td>"
    cls, word = ("met", lab["yes"]) if bool(value) else ("unmet", lab["no"])
    return f'<td class="{cls}">{_e(word)}</td>'


def _table(table: pd.DataFrame, minutes: Sequence[float], lab: Labels) -> str:
    keys = region_table.threshold_labels(minutes)
    head = [lab[c] for c in ("district", "status", "hotspots", "demand", "stations",
                             "candidates", "sites_suggested")]  # fmt: skip
    for m in keys:
        head += [lab[n].format(m=m) for n in region_table.THRESHOLD_NAMES]
    rows = []
    for r in table.to_dict("records"):
        href = _href(r)
        name = _e(r["district"])
        cells = [
            f'<td class="t"><a href="{_e(href)}">{name}</a></td>'
            if href
            else f'<td class="t">{name}</td>',
            f'<td class="t">{_e(lab.get(r["status"], r["status"]))}</td>',
        ]
        failed = r["status"] == "failed"
        for c in ("hotspots", "demand", "stations", "candidates", "sites_suggested"):
            value = r[c]
            text = "" if failed or pd.isna(value) else f"{float(value):.6g}"
            cells.append(f"<td>{_e(text)}</td>")
        for m in keys:
            for n in ("today", "after", "goal"):
                cells.append(f"<td>{'' if failed else _e(pct(r[f'{n}_{m}']))}</td>")
            for n in ("met_today", "met_after"):
                cells.append("<td></td>" if failed else _met(r[f"{n}_{m}"], lab))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<table><thead><tr>"
        + "".join(f"<th>{_e(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "\n".join(rows)
        + "</tbody></table>"
    )


def _failed(table: pd.DataFrame, lab: Labels) -> str:
    failed = table[table["status"] == "failed"]
    if failed.empty:
        return ""
    items = "".join(
        f"<li><b>{_e(r.district)}</b>: {_e(r.error)}</li>" for r in failed.itertuples(index=False)
    )
    return f"<h2>{_e(lab['failed_title'])}</h2><ul>{items}</ul>"
