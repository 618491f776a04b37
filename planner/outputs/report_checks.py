"""The report's checks before its figures: warnings about the inputs (points that fit the
roads better in another coordinate system), the network's warnings, its detour anomalies and
the parts of the network that hold demand, stations or candidates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..core.parts import NO_RIDER_WAYS
from .i18n import NO_RIDER_WAYS_FIX_ZH, NO_RIDER_WAYS_ZH, pct
from .i18n import escape as _e
from .summary import PlanSummary

Labels = Mapping[str, str]


#: The heading over the warnings about the inputs (coordinate systems), by language.
INPUT_WARNINGS = {"en": "Check the inputs", "zh": "请核对输入数据"}


def input_warnings(s: PlanSummary, lang: str) -> str:
    """The warnings about the inputs (points that fit the roads better in another
    coordinate system), one item each; nothing when there are none."""
    warned = s.inputs.get("warnings") or ()
    if not warned:
        return ""
    items = "".join(f"<li>{_e(w)}</li>" for w in warned)
    head = INPUT_WARNINGS.get(lang, INPUT_WARNINGS["en"])
    return f'<div class="warn"><h2>{_e(head)}</h2><ul>{items}</ul></div>'


def network(s: PlanSummary, labels: Sequence[str], lab: Labels, lang: str) -> str:
    """The network's warnings, its detour anomalies, and the parts that hold demand,
    stations or candidates when there is more than one (empty when there is nothing to
    say)."""
    net = s.network
    notes = [
        f"<p class='warning'><b>{_e(lab['warning'])}:</b> {_e(_warning(w, lang))}</p>"
        for w in net.get("warnings", [])
    ]
    if net.get("detour_anomalies"):
        text = lab["detours"].format(n=net["detour_anomalies"], d=net["detour_anomaly_demand"])
        notes.append(f"<p class='detours'>{_e(text)}</p>")
    listed = net.get("parts") or []
    if len(listed) > 1 or net.get("parts_kept", 1) > 1:
        notes.append(_parts(net, listed, labels, lab))
    if not notes:
        return ""
    return f"<h2>{_e(lab['network'])}</h2>\n" + "\n".join(notes)


def _warning(text: str, lang: str) -> str:
    """A network warning in the page's language: the sentence itself in English (or where
    there is no translation)."""
    if lang != "zh" or not text.startswith(NO_RIDER_WAYS):
        return text
    fix = NO_RIDER_WAYS_FIX_ZH["oneway" if 'oneway = "ignore"' in text else "full"]
    return NO_RIDER_WAYS_ZH.format(fix=fix)


def _parts(
    net: Mapping[str, Any], listed: Sequence[Mapping[str, Any]], labels: Sequence[str], lab: Labels
) -> str:
    """The table of the parts: nodes, road, demand, stations, candidates and the share of
    each part's demand within each circle."""
    kept = lab["parts_kept"].format(
        kept=net.get("parts_kept", len(listed)), dropped=net.get("parts_dropped", 0),
        nodes=net.get("min_part_nodes", 0), km=net.get("min_part_km", 0),
        dropped_nodes=net.get("nodes_dropped", 0), dropped_km=net.get("length_km_dropped", 0),
    )  # fmt: skip
    head = "".join(f"<th>≤{_e(k)} {_e(lab['min'])}</th>" for k in labels)
    rows = []
    for q in listed:
        cells = "".join(f"<td>{pct(q['covered'].get(k))}</td>" for k in labels)
        note = "" if q["stations"] or not q["hotspots"] else _e(lab["no_station"])
        rows.append(
            f"<tr><td>{int(q['part'])}</td><td>{int(q['nodes'])}</td>"
            f"<td>{float(q['road_km']):g}</td><td>{int(q['hotspots'])}</td>"
            f"<td>{float(q['demand']):g}</td><td>{int(q['stations'])}</td>"
            f"<td>{int(q['candidates'])}</td>{cells}<td class='t'>{note}</td></tr>"
        )
    return (
        f"<h3>{_e(lab['parts'])}</h3><p class='note'>{_e(kept)}</p>"
        f"<table><tr><th>{_e(lab['part'])}</th><th>{_e(lab['nodes'])}</th>"
        f"<th>{_e(lab['road_km'])}</th><th>{_e(lab['hotspots'])}</th>"
        f"<th>{_e(lab['demand'])}</th><th>{_e(lab['stations'])}</th>"
        f"<th>{_e(lab['candidates'])}</th>{head}<th></th></tr>{''.join(rows)}</table>"
    )
