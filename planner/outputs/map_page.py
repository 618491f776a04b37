"""The map page's HTML: Leaflet (its stylesheet's images as data URIs) and the page's own
script and stylesheet (``assets/``) inlined, the legend, and the data block, JSON that no
string in it can break out of."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from .i18n import (
    BLIND_COLOUR,
    GRADE_COLOURS,
    SUGGESTED_COLOUR,
    THRESHOLD_COLOURS,
    html_lang,
    map_page_labels,
)
from .i18n import escape as _e
from .summary import Parameters
from .terms import HIGHWAY_ZH, METHOD_ZH, MODE_ZH, ONEWAY_ZH, term


def colours(n: int) -> list[str]:
    """The colours of ``n`` thresholds, nearest first."""
    return [THRESHOLD_COLOURS[i % len(THRESHOLD_COLOURS)] for i in range(n)]


def legend(
    parameters: Parameters, lang: str, labels: Sequence[str], *, method: str | None = None
) -> str:
    """The legend (HTML, every text escaped): circles and areas, hotspot colours, grades,
    suggested sites, the optimiser ``method`` that chose them (when there are any), the
    mode with every class of its speed table (fastest first) and the credit; mode, road
    classes, one-way rule and method in ``lang`` (:mod:`.terms`). The script moves it into
    the panel."""
    lab = map_page_labels(lang)
    speeds = (
        ", ".join(
            f"{_e(term(k, HIGHWAY_ZH, lang))} {v:g}"
            for k, v in sorted(parameters.speeds_kph.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        + f"; {_e(lab['oneway'])}: {_e(term(parameters.oneway, ONEWAY_ZH, lang))}"
    )
    chosen = (
        f"<div class='pl-muted'>{_e(lab['method'])}: {_e(term(method, METHOD_ZH, lang))}</div>"
        if method
        else ""
    )
    shades = colours(len(labels))

    def swatch(colour: str, text: str, shape: str = "sq") -> str:
        return f"<div><i class='pl-{shape}' style='background:{colour}'></i>{_e(text)}</div>"

    rows = [swatch(c, lab["within"].format(m=lb)) for c, lb in zip(shades, labels, strict=True)]
    rows.append(swatch(BLIND_COLOUR, lab["blind"].format(m=labels[-1]), "dot"))
    grades = " ".join(
        f"<span class='pl-grade' style='background:{c}'>{_e(g)}</span>"
        for g, c in GRADE_COLOURS.items()
    )
    return (
        "<div id='planner-legend'>"
        + "".join(rows)
        + f"<div>{_e(lab['stations'])}: {grades}</div>"
        + f"<div><span class='pl-site' style='background:{SUGGESTED_COLOUR}'>1</span> "
        f"{_e(lab['suggested'])} <i class='pl-cand'></i> {_e(lab['candidates'])}</div>"
        + chosen
        + f"<div>{_e(lab['mode'])}: {_e(term(parameters.mode, MODE_ZH, lang))} — "
        f"{_e(parameters.describe_mode(lang))}</div>"
        f"<div class='pl-muted'>{_e(lab['speeds'])}: {speeds}</div>"
        f"<div class='pl-muted'>{_e(lab['credit'])}</div></div>"
    )


def script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>``, ``&``, U+2028 and U+2029 as
    ``\\u`` escapes, so nothing in it can end the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch in "<>&\u2028\u2029":
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def _leaflet() -> tuple[str, str]:
    """Leaflet's stylesheet (its images as data URIs) and script, from XStatic-Leaflet."""
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    for image in sorted((base / "images").glob("*.png")):
        uri = "data:image/png;base64," + base64.b64encode(image.read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{image.name})", f"url({uri})")
    return css, (base / "leaflet.js").read_text(encoding="utf-8")


def _asset(name: str) -> str:
    return resources.files("planner.outputs").joinpath("assets", name).read_text(encoding="utf-8")


def page(data: Mapping[str, Any], legend: str, lang: str) -> str:
    css, js = _leaflet()
    title = _e(map_page_labels(lang)["page_title"])
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{css}</style>\n<style>{_asset('map.css')}</style>\n"
        f'</head>\n<body>\n<div id="planner-map"></div>\n<template id="planner-legend-src">'
        f"{legend}</template>\n"
        f'<script type="application/json" id="planner-data">{script_json(data)}</script>\n'
        f"<script>{js}</script>\n<script>{_asset('map.js')}</script>\n</body>\n</html>\n"
    )
