"""The one-page HTML report of a plan, section by section: the district against its goals
(table and bar chart), the suggested sites with the optimiser's certificate, the coverage
curve, travel times, blind spots, the stations and their grades, and the sub-areas.

The figures come from the typed :class:`~planner.outputs.summary.PlanSummary`; the
per-station and per-site tables from the frames the caller passes. Every user string is
HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ..core.units import gap_label, tol
from . import report_charts as charts
from . import report_checks as checks
from . import report_controls, report_hours
from . import report_surroundings as surroundings
from .i18n import (
    THRESHOLD_COLOURS,
    defined,
    deliverable_labels,
    grade_rule,
    html_lang,
    pct,
    report_labels,
)
from .i18n import escape as _e
from .summary import Optimizer, PlanSummary
from .terms import (
    AREA_ZH,
    CATEGORY_ZH,
    METHOD_ZH,
    MODE_ZH,
    ONEWAY_ZH,
    term,
    venue_names,
    venue_type,
)

Labels = Mapping[str, str]

#: The page's style sheet.
STYLE = """body{font:14px/1.4 "PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
max-width:960px;margin:24px auto;padding:0 12px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;
text-align:right}td:first-child,th:first-child,.t{text-align:left}.grade{font-weight:bold;
text-align:center}h2{margin-top:20px}.note{color:#555;font-size:12px}
.warn{border-left:4px solid #c60;padding:0 10px;background:#fff6ec}"""

#: How the page prints (``report.pdf``): A4 margins, no table or figure cut by a page
#: break, headings kept with what follows them, table heads repeated on each page.
PRINT_STYLE = """@page{size:A4;margin:14mm 12mm}
@media print{body{max-width:none;margin:0;font-size:11px}}
table,figure,svg,img,.certificate{break-inside:avoid}h1,h2{break-after:avoid}
thead{display:table-header-group}tr{break-inside:avoid}.sites th,.sites td{white-space:nowrap}
.sites td:nth-child(3){white-space:normal}
figure{margin:8px 0}figure img{max-width:100%;height:auto;border:1px solid #ccc}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:11px;
height:11px;margin-right:4px;vertical-align:-1px}"""


def report_html(
    summary: PlanSummary,
    stations: pd.DataFrame,
    *,
    lang: str = "en",
    curve: pd.DataFrame | None = None,
    recommended: pd.DataFrame | None = None,
    map_png: str | None = None,
) -> str:
    """A one-page HTML report: the district, the stations and their grades, the suggested
    sites with how far from optimal they can be, how coverage grows with each new site.

    Parameters
    ----------
    summary
        The plan's summary: every figure of the district, the optimiser's certificate.
    stations
        One row per station: ``station_id``, ``name``, ``demand_<label>`` per threshold,
        ``unique_<label>``, ``lost_if_closed_<label>``, ``catchment_demand``, ``grade``.
    lang
        ``"en"`` or ``"zh"``: the language of the page.
    curve
        The coverage curve (``rank``, ``cumulative_share_<label>``; rank 0 = today).
    recommended
        The suggested sites (``rank``, ``id``, ``name``, ``category``, ``nearest_road``,
        ``lon``, ``lat``, ``lon_gcj02``, ``lat_gcj02``, ``demand_added_<label>``;
        ``served_demand`` and ``capacity`` with capacities).
    map_png
        A static map of the plan as a ``data:image/png`` URI
        (:func:`planner.outputs.static_map.png_base64`), shown with its legend.
    """
    lab = report_labels(lang)
    labels = tuple(summary.coverage_existing.covered)
    summary, recommended = _in_language(summary, recommended, lang)
    sections = [
        _head(lang, lab),
        _mode(summary, lang, lab),
        checks.input_warnings(summary, lang),
        checks.network(summary, labels, lab, lang),
        _district(summary, lab),
        _after(summary, lab),
        surroundings.others(summary, lang),
        report_controls.closed(summary, lang) + report_controls.moves(summary, lang),
        _suggested(summary, recommended, labels, lab) + report_controls.phases(summary, lang),
        _site_list(recommended, lang),
        _static_map(map_png, summary, lang),
        _curve(curve, lab),
        report_hours.section(summary, lang),
        _travel(summary, lab),
        _blind_spots(summary, lab),
        _stations(stations, labels, lab),
        f'<p class="note"><b>{_e(lab["rule"])}:</b> {_e(grade_rule(summary.grades.rule, lang))}'
        "</p>",
        _areas(summary, lab),
        _areas_after(summary, lang),
        surroundings.area_goals(summary, lang),
        f'<p class="note">{_e(lab["credit"])}</p>',
        "</body></html>",
    ]
    return "\n".join(sections)


# --------------------------------------------------------------------------- sections


def _head(lang: str, lab: Labels) -> str:
    """The document head and the page title."""
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang(lang)}"><head><meta charset="utf-8">\n'
        f"<title>{_e(lab['title'])}</title>\n"
        f"<style>{STYLE}\n{PRINT_STYLE}</style></head>\n"
        f"<body><h1>{_e(lab['title'])}</h1>"
    )


def _mode(s: PlanSummary, lang: str, lab: Labels) -> str:
    """The travel mode, in words."""
    p = s.parameters
    mode = term(p.mode, MODE_ZH, lang)
    oneway = term(p.oneway, ONEWAY_ZH, lang)
    words = deliverable_labels(lang)
    return (
        f"<p>{_e(lab['mode'])}: {_e(mode)} — {_e(p.describe_mode(lang))}; "
        f"{_e(words['oneway'])}: {_e(oneway)}</p>"
    )


def _district(s: PlanSummary, lab: Labels) -> str:
    """Demand within each threshold of the existing stations, against the goals."""
    cov = s.coverage_existing
    goals = {f"{g.minutes:g}": g for g in cov.goals}
    rows = "".join(
        f"<tr><td>{_e(k)} {_e(lab['min'])}</td><td>{pct(c.share)}</td>"
        f"<td>{pct(goals[k].target) if k in goals else '–'}</td>"
        f"<td>{_e(lab['yes'] if k in goals and goals[k].attained else lab['no'])}</td></tr>"
        for k, c in cov.covered.items()
    )
    bars = [
        (f"{k} {lab['min']}", c.share, goals[k].target if k in goals else None)
        for k, c in cov.covered.items()
    ]
    return (
        f"<h2>{_e(lab['district'])}</h2>\n"
        f"<table><tr><th>{_e(lab['threshold'])}</th><th>{_e(lab['share'])}</th>"
        f"<th>{_e(lab['target'])}</th>\n"
        f"<th>{_e(lab['attained'])}</th></tr>{rows}</table>\n"
        f"{charts.bars(bars, lab)}"
    )


def _after(s: PlanSummary, lab: Labels) -> str:
    """The shares with the suggested sites (empty without them)."""
    after = s.coverage_after_recommended
    if not after:
        return ""
    return (
        f"<p>{_e(lab['new'])}: "
        + ", ".join(f"{_e(k)} {_e(lab['min'])} {pct(v)}" for k, v in after.items())
        + "</p>"
    )


def _suggested(
    s: PlanSummary, recommended: pd.DataFrame | None, labels: Sequence[str], lab: Labels
) -> str:
    """The suggested sites and the optimiser's certificate (empty without sites)."""
    opt = s.optimizer
    if recommended is None or not len(recommended) or opt is None:
        return ""
    cap = "served_demand" in recommended.columns
    head = "".join(f"<th>{_e(lab['added'])} ≤{_e(k)}</th>" for k in labels)
    if cap:
        head += f"<th>{_e(lab['served'])}</th><th>{_e(lab['capacity'])}</th>"
    if "cost" in recommended.columns:
        head += f"<th>{_e(lab['cost'])}</th>"
    rows = "".join(_site_row(r, labels, cap=cap) for r in recommended.to_dict(orient="records"))
    return (
        f"<h2>{_e(lab['suggested'])}</h2><table><tr><th>{_e(lab['rank'])}</th>"
        f"<th class='t'>{_e(lab['name'])}</th><th class='t'>{_e(lab['venue'])}</th>"
        f"<th class='t'>{_e(lab['road'])}</th>"
        f"{head}</tr>{rows}</table>"
        f"<p class='certificate'>{_certificate(s, opt, lab)}</p>"
        f"{_budget(s, lab)}{_spacing(s, lab)}"
    )


def _budget(s: PlanSummary, lab: Labels) -> str:
    """The total the suggested sites cost, against the budget (empty without one)."""
    b = s.budget
    if b is None:
        return ""
    money = {"spent": b.spent, "budget": b.budget, "left": b.left}
    return "<p class='budget'>" + _e(lab["spent"]).format(
        **{k: f"{v:,.0f}" for k, v in money.items()}
    ) + "</p>"  # fmt: skip


def _spacing(s: PlanSummary, lab: Labels) -> str:
    """The spacing rule and what it costs: coverage with it and without it."""
    sp = s.spacing
    if sp is None:
        return ""

    def shares(v: Mapping[str, float]) -> str:
        return ", ".join(f"{_e(k)} {_e(lab['min'])} {v[k]:.1%}" for k in v)

    return "<p class='spacing'>" + _e(lab["spacing"]).format(
        min_m=f"{sp.min_m:g}", too_close=sp.candidates_too_close_to_a_station,
        with_=shares(sp.coverage_with), without=shares(sp.coverage_without),
        obj_with=f"{sp.objective_with:,.6g}", obj_without=f"{sp.objective_without:,.6g}",
        cost=f"{sp.objective_cost:,.6g}",
    ) + "</p>"  # fmt: skip


def _site_row(r: Mapping[str, Any], labels: Sequence[str], *, cap: bool) -> str:
    cells = "".join(f"<td>{float(r.get(f'demand_added_{k}', 0)):g}</td>" for k in labels)
    if cap:
        cells += f"<td>{float(r['served_demand']):g}</td><td>{float(r['capacity']):g}</td>"
    if "cost" in r:
        cells += f"<td>{float(r['cost']):,.0f}</td>"
    return (
        f"<tr><td>{int(r['rank'])}</td><td class='t'>{_e(r.get('name', ''))}</td>"
        f"<td class='t'>{_e(r.get('category', ''))}</td>"
        f"<td class='t'>{_e(r.get('nearest_road', ''))}</td>"
        f"{cells}</tr>"
    )


def _certificate(s: PlanSummary, opt: Optimizer, lab: Labels) -> str:
    """How far from optimal the answer can be: proven optimal, or the bound and the gap
    to it; for a reach goal, the fewest sites possible."""
    fields = {
        "method": _e(opt.method),
        "objective": f"{opt.value:,.6g}",
        "bound": f"{opt.bound:,.6g}",
        "gap": gap_label(opt.gap),
    }
    if s.reach is not None:
        fields["bound"] = f"{np.ceil(opt.bound - tol(opt.bound)):g}"
        text = lab["proven_fewest"] if opt.proven else lab["fewest"]
    else:
        text = lab["proven"] if opt.proven else lab["within"]
    if opt.proven:
        key = {None: "alt_unknown", False: "alt_none", True: "alt_some"}[opt.alternatives]
        text += " " + lab[key]
        fields["sites"] = ", ".join(_e(i) for i in opt.alternative_sites)
    return text.format(**fields)


def _curve(curve: pd.DataFrame | None, lab: Labels) -> str:
    """The coverage curve (empty without one, or with today only)."""
    if curve is None or len(curve) <= 1:
        return ""
    return f"<h2>{_e(lab['curve'])}</h2>{charts.curve(curve, lab)}"


def _travel(s: PlanSummary, lab: Labels) -> str:
    """Travel time to the nearest station: mean of the reached demand, median, 90th
    percentile."""
    nm = s.coverage_existing.nearest_minutes

    def minutes(x: float | None) -> str:
        value = defined(x)
        return _e(lab["beyond"]) if value is None else f"{value:.1f}"

    return (
        f"<h2>{_e(lab['travel'])}</h2>\n"
        f"<table><tr><th>{_e(lab['mean'])}</th><th>{_e(lab['median'])}</th>"
        f"<th>{_e(lab['p90'])}</th></tr>\n"
        f"<tr><td>{minutes(nm.mean_of_reached)}</td><td>{minutes(nm.median)}</td>\n"
        f"<td>{minutes(nm.p90)}</td></tr></table>"
    )


def _blind_spots(s: PlanSummary, lab: Labels) -> str:
    """Hotspots and demand beyond each threshold of every station."""
    rows = "".join(
        f"<tr><td>{_e(k.replace('beyond_', ''))} {_e(lab['min'])}</td><td>{b.hotspots}</td>"
        f"<td>{b.demand:g}</td></tr>"
        for k, b in s.blind_spots.items()
    )
    return (
        f"<h2>{_e(lab['blind'])}</h2>\n"
        f"<table><tr><th>{_e(lab['beyond_short'])}</th><th>{_e(lab['hotspots'])}</th>"
        f"<th>{_e(lab['demand'])}</th></tr>\n"
        f"{rows}</table>"
    )


def _stations(stations: pd.DataFrame, labels: Sequence[str], lab: Labels) -> str:
    """Each station's demand within each threshold, unique and lost demand, catchment,
    with capacitated stations the demand it serves against its capacity, and grade."""
    head = "".join(f"<th>{_e(lab['demand'])} ≤{_e(k)}</th>" for k in labels)
    cap = "served_demand" in stations.columns
    rows = "".join(_station_row(r, labels, cap=cap) for r in stations.to_dict(orient="records"))
    served = f"<th>{_e(lab['served'])}</th><th>{_e(lab['capacity'])}</th>" if cap else ""
    return (
        f"<h2>{_e(lab['stations'])}</h2>\n"
        f"<table class='stations'><tr><th>{_e(lab['station'])}</th>"
        f'<th class="t">{_e(lab["name"])}</th>{head}\n'
        f"<th>{_e(lab['unique'])} ≤{_e(labels[0])}</th>"
        f"<th>{_e(lab['lost'])} ≤{_e(labels[-1])}</th>\n"
        f"<th>{_e(lab['catchment'])}</th>{served}<th>{_e(lab['grade'])}</th></tr>{rows}</table>"
    )


def _station_row(r: Mapping[str, Any], labels: Sequence[str], *, cap: bool) -> str:
    cells = "".join(f"<td>{float(r.get(f'demand_{k}', 0)):g}</td>" for k in labels)
    served = (
        f"<td class='served'>{float(r['served_demand']):g}</td>"
        f"<td class='capacity'>{float(r['capacity']):g}</td>"
        if cap else ""
    )  # fmt: skip
    return (
        f"<tr><td>{_e(r['station_id'])}</td><td class='t'>{_e(r.get('name', ''))}</td>{cells}"
        f"<td>{float(r.get(f'unique_{labels[0]}', 0)):g}</td>"
        f"<td>{float(r.get(f'lost_if_closed_{labels[-1]}', 0)):g}</td>"
        f"<td>{float(r.get('catchment_demand', 0)):g}</td>{served}"
        f"<td class='grade'>{_e(r.get('grade', ''))}</td></tr>"
    )


def _areas(s: PlanSummary, lab: Labels) -> str:
    """Demand and the share within each threshold per sub-area (empty without areas)."""
    if not s.areas:
        return ""
    cols = [c for c in s.areas[0] if c.startswith("share_") and "after" not in c]
    head = "".join(f"<th>≤{_e(c[6:])} {_e(lab['min'])}</th>" for c in cols)
    rows = "".join(
        f"<tr><td>{_e(a['area'])}</td><td>{float(a['demand']):g}</td>"
        + "".join(f"<td>{pct(a[c])}</td>" for c in cols)
        + "</tr>"
        for a in s.areas
    )
    return (
        f"<h2>{_e(lab['areas'])}</h2><table><tr><th>{_e(lab['area'])}</th>"
        f"<th>{_e(lab['demand'])}</th>{head}</tr>{rows}</table>"
    )


# --------------------------------------------------------------------------- deliverables


def _in_language(
    s: PlanSummary, recommended: pd.DataFrame | None, lang: str
) -> tuple[PlanSummary, pd.DataFrame | None]:
    """The summary and the sites with the product's own words in ``lang``: the method of
    the certificate, the area outside every polygon, the venue categories."""
    if lang != "zh":
        if recommended is not None and "category" in recommended.columns:
            recommended = pd.DataFrame(recommended).assign(
                category=[venue_type(c) for c in recommended["category"]]
            )
        return s, recommended
    if s.optimizer is not None:
        method = str(term(s.optimizer.method, METHOD_ZH, lang))
        s = replace(s, optimizer=replace(s.optimizer, method=method))
    if s.areas:
        areas = tuple({**a, "area": term(a["area"], AREA_ZH, lang)} for a in s.areas)
        s = replace(s, areas=areas)
    if recommended is not None and "category" in recommended.columns:
        recommended = pd.DataFrame(recommended)
        names = venue_names(recommended, lang)
        recommended = recommended.assign(
            category=[term(c, CATEGORY_ZH, lang) for c in recommended["category"]],
            **({"name": names} if names is not None else {}),
        )
    return s, recommended


def _areas_after(s: PlanSummary, lang: str) -> str:
    """Per sub-area, the share of demand within each threshold today and with the
    suggested sites (empty without areas or without sites)."""
    if not s.areas or not any(k.startswith("share_after_") for k in s.areas[0]):
        return ""
    w = deliverable_labels(lang)
    labels = [k[len("share_after_") :] for k in s.areas[0] if k.startswith("share_after_")]
    head = "".join(
        f"<th>{_e(w['today'].format(m=m))}</th><th>{_e(w['with_sites'].format(m=m))}</th>"
        for m in labels
    )
    rows = "".join(
        f"<tr><td>{_e(a['area'])}</td>"
        + "".join(
            f"<td>{pct(a.get(f'share_{m}'))}</td><td>{pct(a[f'share_after_{m}'])}</td>"
            for m in labels
        )  # fmt: skip
        + "</tr>"
        for a in s.areas
    )
    return (
        f"<h2>{_e(w['areas_after'])}</h2><table class='areas-after'><thead><tr>"
        f"<th>{_e(w['area_name'])}</th>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _coordinate(value: object) -> str:
    number = defined(value)
    return "–" if number is None else f"{number:.6f}"


def _site_list(recommended: pd.DataFrame | None, lang: str) -> str:
    """Where each suggested site is: id, name, venue type, nearest road, and its WGS-84
    and GCJ-02 coordinates (empty without sites)."""
    if recommended is None or not len(recommended):
        return ""
    w = deliverable_labels(lang)
    heads = [w[k] for k in ("rank", "id", "name", "venue", "road")]
    heads += [w["lon"], w["lat"], w["lon_gcj02"], w["lat_gcj02"]]
    head = "".join(f"<th class='t'>{_e(h)}</th>" for h in heads[:5])
    head += "".join(f"<th>{_e(h)}</th>" for h in heads[5:])
    rows = "".join(
        f"<tr><td>{int(r['rank'])}</td><td class='t site-id'>{_e(r.get('id', ''))}</td>"
        f"<td class='t'>{_e(r.get('name', ''))}</td><td class='t'>{_e(r.get('category', ''))}"
        f"</td><td class='t'>{_e(r.get('nearest_road', ''))}</td>"
        + "".join(
            f"<td>{_coordinate(r.get(k))}</td>" for k in ("lon", "lat", "lon_gcj02", "lat_gcj02")
        )
        + "</tr>"
        for r in recommended.to_dict(orient="records")
    )
    return (
        f"<h2>{_e(w['where'])}</h2><table class='sites'><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table><p class='note'>{_e(w['coordinates'])}</p>"
    )


def _static_map(map_png: str | None, s: PlanSummary, lang: str) -> str:
    """The static map of the plan with its legend (empty without a picture)."""
    if not map_png:
        return ""
    w = deliverable_labels(lang)
    first = next(iter(s.coverage_existing.covered), "")
    swatches = [
        (THRESHOLD_COLOURS[i % len(THRESHOLD_COLOURS)], w["area"].format(m=k))
        for i, k in enumerate(s.coverage_existing.covered)
    ]
    swatches += [
        ("#2b6cb0", w["covered"].format(m=first)), ("#d7301f", w["blind"].format(m=first)),
        ("#111111", w["stations"]), ("#c51b7d", w["sites"]),
    ]  # fmt: skip
    legend = "".join(
        f"<span><i style='background:{c}'></i>{_e(text)}</span>" for c, text in swatches
    )
    return (
        f"<h2>{_e(w['map'])}</h2><figure><img src='{map_png}' alt='{_e(w['map'])}' "
        f"width='880'><figcaption class='legend note'>{legend}</figcaption></figure>"
    )


# --------------------------------------------------------------------------- charts
