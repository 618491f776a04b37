"""The label tables and the small helpers the map and the report share."""

from __future__ import annotations

import math
import string

import numpy as np
import pytest

from planner.outputs import i18n


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("table", [i18n.MAP_LABELS, i18n.REPORT_LABELS])
def test_chinese_and_english_tables_say_the_same_things(table):
    assert set(table) == set(i18n.LANGUAGES)
    assert set(table["zh"]) == set(table["en"])
    for key, text in table["en"].items():
        assert _fields(table["zh"][key]) == _fields(text), key  # same {placeholders}
        assert text and table["zh"][key], key


def test_other_languages_fall_back_to_english():
    assert i18n.map_page_labels("fr") == i18n.map_page_labels("en")
    assert i18n.report_labels("zh") is i18n.REPORT_LABELS["zh"]
    assert i18n.html_lang("zh") == "zh-CN" and i18n.html_lang("fr") == "en"
    assert i18n.grade_rule("A = every goal met", "en") == "A = every goal met"
    assert i18n.grade_rule("A = every goal met", "zh") == i18n.GRADE_RULE_ZH


def test_escape_stops_markup_and_template_literals():
    assert i18n.escape(None) == ""
    assert i18n.escape(3) == "3"
    assert i18n.escape("<b a='1'>&\"") == "&lt;b a=&#x27;1&#x27;&gt;&amp;&quot;"
    assert i18n.escape("`${x}` \\") == "&#96;&#36;{x}&#96; &#92;"


def test_numbers_as_the_pages_write_them():
    assert i18n.pct(0.4333) == "43.3%"
    assert i18n.pct(1) == "100.0%"
    for undefined in (None, math.nan, math.inf, np.float64("nan")):
        assert i18n.pct(undefined) == "–"
        assert i18n.defined(undefined) is None
    assert i18n.defined(np.float32(0.5)) == 0.5
    assert i18n.figure(0.25) == "25.0%"
    assert i18n.figure(np.float64(1.0)) == "1.0"  # a whole number is not a share
    assert i18n.figure(1234.56) == "1,234.6"
    assert i18n.figure(7) == "7"
    assert i18n.figure(math.nan) == "nan"


def test_venues_named_by_their_kind_are_named_in_chinese():
    """An unnamed venue is named by its kind and street (inputs.sites.venue_names); with
    zh the kind is the Chinese word, a real name stays as it is."""
    import pandas as pd

    from planner.inputs.sites import venue_names
    from planner.outputs import terms

    venues = pd.DataFrame(
        {"name": ["", None, "Hotel Roc", ""],
         "category": ["tourism=hotel", "amenity=bank", "tourism=hotel", "amenity=unknown_kind"],
         "street": ["", "人民南路", "", ""]}
    )  # fmt: skip
    named = venues.assign(name=venue_names(venues))
    assert named["name"].tolist() == ["hotel", "bank, 人民南路", "Hotel Roc", "unknown kind"]
    zh = terms.venue_names(named, "zh").tolist()
    assert zh == ["酒店", "银行网点，人民南路", "Hotel Roc", "unknown kind"]
    assert terms.venue_names(named, "en").tolist() == named["name"].tolist()
    table = terms.localise(named[["name", "category"]], "zh")
    assert table.iloc[:, 0].tolist() == zh  # the names from the English categories
    assert table.iloc[0, 1] == "酒店"
    assert terms.venue_names(pd.DataFrame({"name": ["a"]}), "zh") is None
