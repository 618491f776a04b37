"""The product's own words in Chinese: mode, method, objective and one-way rule names, OSM
road classes and venue categories, status words, and the column headers of the CSV and
XLSX files.

The machine names (English) stay in GeoJSON, GeoPackage and ``summary.json``; with
``--lang zh`` the tables a planner opens in a spreadsheet, the workbook and the report use
the Chinese words below. README ("Column names in Chinese") lists the header mapping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import pandas as pd

from ..core.crs import COORDINATES_NOTE, COORDINATES_NOTE_ZH

#: The area name the plan gives hotspots outside every sub-area polygon.
OUTSIDE_AREAS = "(outside every area)"

#: Travel modes.
MODE_ZH: Mapping[str, str] = MappingProxyType(
    {"ebike": "电动自行车", "walk": "步行", "drive": "小汽车"}
)

#: Optimiser methods.
METHOD_ZH: Mapping[str, str] = MappingProxyType(
    {"greedy": "贪心算法", "local": "局部搜索", "exact": "精确求解（分支定界）"}
)

#: What the new sites are chosen for (objective names).
OBJECTIVE_ZH: Mapping[str, str] = MappingProxyType(
    {
        "coverage": "覆盖需求最多：各服务圈内的需求按服务圈权重计分",
        "capacity": "在各新址容量之内服务的需求最多（一个热点的需求可分给多处站点）",
        "time": "需求加权的到最近驿站出行时间最短（超出最大服务圈按两倍时间计）",
        "worst": "任一需求到最近驿站的最长出行时间最短",
        "backup": "两个及以上驿站服务圈内的需求最多（备用覆盖）",
        "decay": "按到最近驿站分钟数衰减加权的需求最多",
        "reach": "以最少的新址使目标比例的需求进入指定服务圈",
    }
)

#: One-way rules of a mode.
ONEWAY_ZH: Mapping[str, str] = MappingProxyType(
    {"respect": "单行道只按规定方向通行", "ignore": "单行道可双向通行"}
)

#: OSM ``highway`` classes (the speed table of every mode).
HIGHWAY_ZH: Mapping[str, str] = MappingProxyType(
    {
        "motorway": "高速公路", "motorway_link": "高速公路匝道",
        "trunk": "快速路", "trunk_link": "快速路匝道",
        "primary": "主干路", "primary_link": "主干路连接道",
        "secondary": "次干路", "secondary_link": "次干路连接道",
        "tertiary": "支路", "tertiary_link": "支路连接道",
        "unclassified": "未分级道路", "residential": "居住区道路", "road": "未知等级道路",
        "service": "内部道路", "living_street": "生活街道", "cycleway": "自行车道",
        "track": "机耕路", "path": "小径", "bridleway": "马道", "footway": "人行道",
        "pedestrian": "步行街", "corridor": "室内通道", "steps": "台阶",
    }
)  # fmt: skip

#: OSM ``key=value`` categories of host venues and of the demand proxies.
CATEGORY_ZH: Mapping[str, str] = MappingProxyType(
    {
        "amenity=community_centre": "社区服务中心", "amenity=social_facility": "社会服务机构",
        "amenity=townhall": "政府办公场所", "amenity=bank": "银行网点",
        "amenity=pharmacy": "药店", "amenity=post_office": "邮局", "amenity=fuel": "加油站",
        "amenity=library": "图书馆", "shop=mall": "商场", "shop=supermarket": "超市",
        "shop=department_store": "百货商店", "tourism=hotel": "酒店",
        "amenity=fast_food": "快餐店", "amenity=food_court": "美食广场",
        "amenity=restaurant": "餐馆", "amenity=cafe": "咖啡馆", "amenity=bar": "酒吧",
        "amenity=pub": "酒馆", "shop=convenience": "便利店", "shop=bakery": "面包店",
    }
)  # fmt: skip

#: Status and kind words of the tables (snapping, isochrones, travel times, hotspots).
STATUS_ZH: Mapping[str, str] = MappingProxyType(
    {
        "ok": "正常", "far": "距道路较远", "excluded": "已排除", "existing": "现有驿站",
        "suggested": "建议新址", "station": "现有驿站", "candidate": "候选站址",
        "hotspot": "热点", "stations": "现有驿站", "candidates": "候选站址",
        "hotspots": "热点", "covered": "已覆盖", "blind": "盲区",
        "excluded: far from every usable road": "已排除：远离所有可用道路",
        "no station on its part of the network": "所在路网分区内没有驿站",
    }
)  # fmt: skip

#: The area row of the hotspots outside every sub-area (area names are the planner's own).
AREA_ZH: Mapping[str, str] = MappingProxyType({OUTSIDE_AREAS: "（不在任何街道内）"})

#: The row of the coverage curve that stands for today's stations (its ``id``).
EXISTING_ROW_ZH: Mapping[str, str] = MappingProxyType({"(existing)": "（现有驿站）"})

#: The note of the coordinate columns (``coordinates``), in Chinese.
COORDINATES_ZH: Mapping[str, str] = MappingProxyType({COORDINATES_NOTE: COORDINATES_NOTE_ZH})

#: Columns whose text values are words of the tables above.
VOCABULARY_COLUMNS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "category": CATEGORY_ZH, "status": STATUS_ZH, "snap_status": STATUS_ZH,
        "kind": STATUS_ZH, "source_kind": STATUS_ZH, "role": STATUS_ZH, "area": AREA_ZH,
        "site_kind": STATUS_ZH, "id": EXISTING_ROW_ZH, "reason": STATUS_ZH,
        "blind_reason": STATUS_ZH, "coordinates": COORDINATES_ZH,
    }
)  # fmt: skip

#: Column headers without a threshold.
COLUMN_ZH: Mapping[str, str] = MappingProxyType(
    {
        "id": "编号", "station_id": "驿站编号", "name": "名称", "lon": "经度", "lat": "纬度",
        "lon_gcj02": "经度（GCJ-02）", "lat_gcj02": "纬度（GCJ-02）",
        "coordinates": "坐标系", "rank": "序号", "category": "场所类型",
        "nearest_road": "最近道路或地址", "weight": "权重", "grade": "评级",
        "catchment_demand": "服务片区需求", "catchment_hotspots": "服务片区热点数",
        "nearest_minutes": "到最近驿站（分钟）", "source_kind": "起点类型",
        "source_id": "起点编号", "hotspot_id": "热点编号", "minutes": "分钟",
        "role": "类别", "segment": "路段", "road_name": "道路名称",
        "snap_distance_m": "吸附距离（米）", "access_s": "步行接驳（秒）", "status": "状态",
        "area": "街道", "demand": "需求", "hotspots": "热点数",
        "candidate": "候选序号", "suggested": "建议新址", "capacity": "容量",
        "phase": "建设期",
        "served_demand": "服务需求", "kind": "类型", "item": "项目", "value": "内容",
        "backup_demand_added": "新增双重覆盖需求", "decay_demand_added": "新增衰减加权需求",
        "site_id": "服务站点编号", "site_name": "服务站点名称", "site_kind": "站点类型",
        "within": "服务圈",
        "goal": "目标", "before": "现有驿站", "after": "加上建议新址后",
        "goal_met_before": "现有驿站达标", "goal_met_after": "加上建议新址后达标",
        "road_class": "道路等级", "speed_kph": "速度（公里/小时）",
        "nearest_minutes_median": "到最近驿站中位数（分钟）",
        "nearest_minutes_p90": "到最近驿站90%分位（分钟）",
        "part": "路网分区", "reason": "原因", "blind_reason": "盲区原因",
        "detour": "绕行异常", "detour_factor": "绕行倍数",
        "share_before": "现有驿站覆盖率", "share_after": "加上建议新址后覆盖率",
        "met_before": "现有驿站达标", "met_after": "加上建议新址后达标",
        "operator": "运营方",
    }
)  # fmt: skip

#: Column headers per threshold ``<name>_<minutes>``: the Chinese template of each name.
THRESHOLD_COLUMN_ZH: Mapping[str, str] = MappingProxyType(
    {
        "demand": "{m}分钟内需求", "hotspots": "{m}分钟内热点数", "share": "{m}分钟覆盖率",
        "unique": "{m}分钟内独占需求", "redundant": "{m}分钟内重叠需求",
        "lost_if_closed": "关闭后{m}分钟内失去需求", "catchment_within": "服务片区{m}分钟内占比",
        "demand_added": "{m}分钟内新增需求", "cumulative_share": "{m}分钟累计覆盖率",
        "added": "{m}分钟内新增需求", "cumulative": "{m}分钟累计覆盖需求",
        "beyond": "超出{m}分钟", "covered": "{m}分钟内已覆盖",
        "share_after": "加上建议新址后{m}分钟覆盖率",
    }
)  # fmt: skip

_THRESHOLD_COLUMN = re.compile(r"(?P<name>[a-z_]+?)_(?P<m>\d+(?:\.\d+)?)")
_GOAL_COLUMN = re.compile(r"goal_(?P<m>\d+(?:\.\d+)?)_attained")
#: An area's own goal (``--area-targets``) and whether it is met, per threshold.
_AREA_GOAL_COLUMN = re.compile(r"area_goal_(?P<m>\d+(?:\.\d+)?)(?P<met>_met(?:_after)?)?")
AREA_GOAL_ZH: Mapping[str, str] = MappingProxyType(
    {"": "街道{m}分钟目标", "_met": "现有驿站达到街道{m}分钟目标",
     "_met_after": "加上建议新址后达到街道{m}分钟目标"}
)  # fmt: skip


def term(value: object, table: Mapping[str, str], lang: str) -> object:
    """``value`` in ``lang``: its Chinese word from ``table`` with ``lang="zh"`` (a value
    not in the table, or any value in English, as it is)."""
    if lang != "zh" or not isinstance(value, str):
        return value
    return table.get(value, value)


def venue_type(category: object) -> object:
    """An OSM category as words (``"amenity=community_centre"`` → ``"community centre"``);
    anything else as it is."""
    if isinstance(category, str) and "=" in category:
        return category.split("=", 1)[1].replace("_", " ")
    return category


def venue_name(name: object, category: object, lang: str) -> object:
    """A venue's name in ``lang``: where the planner named an unnamed venue by its kind
    and street (``"hotel"``, ``"bank, 人民南路"``: see
    :func:`planner.inputs.sites.venue_names`), the kind is in Chinese with ``"zh"``
    (``"酒店"``, ``"银行网点，人民南路"``); any other name as it is."""
    if lang != "zh" or not isinstance(name, str) or not isinstance(category, str):
        return name
    zh, kind = CATEGORY_ZH.get(category), venue_type(category)
    if zh is None or not isinstance(kind, str):
        return name
    if name == kind:
        return zh
    if name.startswith(kind + ", "):
        return zh + "，" + name[len(kind) + 2 :]
    return name


def venue_names(frame: pd.DataFrame, lang: str) -> pd.Series | None:
    """The ``name`` column of a frame with a ``category`` column, each name as
    :func:`venue_name` gives it (None where the frame lacks either column)."""
    if "name" not in frame.columns or "category" not in frame.columns:
        return None
    names = [venue_name(n, c, lang) for n, c in zip(frame["name"], frame["category"], strict=True)]
    return pd.Series(names, index=frame.index, dtype=object)


def header(name: str, lang: str) -> str:
    """The header of column ``name`` in ``lang`` (``"demand_8"`` → ``"8分钟内需求"``);
    English, and names without a Chinese header, as they are."""
    if lang != "zh":
        return name
    if name in COLUMN_ZH:
        return COLUMN_ZH[name]
    goal = _GOAL_COLUMN.fullmatch(name)
    if goal:
        return f"{goal['m']}分钟目标达标"
    area_goal = _AREA_GOAL_COLUMN.fullmatch(name)
    if area_goal:
        return AREA_GOAL_ZH[area_goal["met"] or ""].format(m=area_goal["m"])
    match = _THRESHOLD_COLUMN.fullmatch(name)
    if match and match["name"] in THRESHOLD_COLUMN_ZH:
        return THRESHOLD_COLUMN_ZH[match["name"]].format(m=match["m"])
    return name


def localise(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` as a spreadsheet user reads it in ``lang``: with ``"zh"``, Chinese headers
    (:func:`header`) and the words of :data:`VOCABULARY_COLUMNS` in Chinese; the frame
    itself is not changed, and English returns it as it is."""
    if lang != "zh":
        return frame
    out = frame.copy(deep=False)
    names = venue_names(frame, lang)  # from the English categories, before they change
    if names is not None:
        out["name"] = names
    for column, table in VOCABULARY_COLUMNS.items():
        if column in out.columns:
            out[column] = out[column].map(lambda v, t=table: term(v, t, lang))
    return out.rename(columns={c: header(str(c), lang) for c in out.columns})


def header_table() -> pd.DataFrame:
    """The mapping documented in README: machine name, Chinese header."""
    rows = [(k, v) for k, v in COLUMN_ZH.items()]
    rows += [(f"{k}_<T>", v.format(m="<T>")) for k, v in THRESHOLD_COLUMN_ZH.items()]
    rows.append(("goal_<T>_attained", "<T>分钟目标达标"))
    rows += [(f"area_goal_<T>{k}", v.format(m="<T>")) for k, v in AREA_GOAL_ZH.items()]
    return pd.DataFrame(rows, columns=["column", "zh"])
