"""A seeded synthetic province: districts, a road network over them, hotspots, stations and
candidates per district, for tests and the region benchmark. Same plan, same files.

The districts are the Voronoi cells of jittered centres on a grid (``districts`` cells taken
row by row, so the province's outline is a rectangle with a ragged last row). The roads are
a street grid of ``block_m`` blocks over the whole province, its nodes jittered, every
``arterial_every``-th line a ``primary`` road, the line half-way between two of them a
``cycleway`` (the rest ``residential``) and a share of the residential blocks missing, so
that streets end and detour. Each district gets about ``nodes_per_district`` road nodes.
Its hotspots gather round a few centres (with some scattered anywhere in it), their weights
lognormal; its stations and candidates lie at random in it, each district drawing from its
own seeded stream.

The network is written as an OSM file (``.osm`` XML by default, which loads faster than
``.osm.pbf``: 3.1 s against 3.8 s for 108,000 nodes; or ``.osm.pbf``, 25 times smaller) with
pyosmium; :func:`planner.inputs.network.load` reads either.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ..core.crs import WGS84, projected_crs_for
from ..core.errors import FieldError

#: Host venues of the candidates (OSM categories, as ``--candidates osm`` names them).
CANDIDATE_CATEGORIES = (
    "amenity=community_centre", "amenity=bank", "amenity=pharmacy", "shop=supermarket",
    "amenity=post_office", "shop=mall",
)  # fmt: skip

#: The network formats :func:`write` can write (file suffixes).
NETWORK_FORMATS = ("osm.pbf", "osm")


@dataclass(frozen=True)
class ProvincePlan:
    """What to generate; distances in metres.

    Attributes
    ----------
    districts
        How many districts (at least 1).
    nodes_per_district
        Road nodes per district, about (at least 4).
    hotspots_per_district, stations_per_district, candidates_per_district
        Points per district.
    block_m
        The street grid's spacing.
    arterial_every
        Every n-th street of the grid is an arterial (``primary``).
    missing_share
        The share of residential blocks left out (0 ≤ share < 0.5).
    centres_per_district
        Hotspot clusters per district; ``scatter_share`` of the hotspots lie anywhere.
    centre_lonlat
        The province's centre (WGS-84).
    seed
        The seed every random draw derives from.
    """

    districts: int = 120
    nodes_per_district: int = 400
    hotspots_per_district: int = 40
    stations_per_district: int = 2
    candidates_per_district: int = 15
    block_m: float = 150.0
    arterial_every: int = 6
    missing_share: float = 0.08
    centres_per_district: int = 3
    scatter_share: float = 0.3
    centre_lonlat: tuple[float, float] = (114.06, 22.54)
    seed: int = 0

    def check(self) -> None:
        """Raise :class:`FieldError` on the first parameter out of its range."""
        counts = {
            "districts": (self.districts, 1), "nodes_per_district": (self.nodes_per_district, 4),
            "hotspots_per_district": (self.hotspots_per_district, 0),
            "stations_per_district": (self.stations_per_district, 0),
            "candidates_per_district": (self.candidates_per_district, 0),
            "arterial_every": (self.arterial_every, 1),
            "centres_per_district": (self.centres_per_district, 1),
        }  # fmt: skip
        for name, (value, low) in counts.items():
            if int(value) != value or value < low:
                template = "{" + name + "} must be a whole number >= {low}, got {v}"
                raise FieldError(name, template, low=low, v=value)
        if not self.block_m > 0:
            raise FieldError("block_m", "{block_m} must be > 0 metres, got {v}", v=self.block_m)
        if not 0 <= self.missing_share < 0.5:
            raise FieldError("missing_share", "{missing_share} must be in [0, 0.5)")
        if not 0 <= self.scatter_share <= 1:
            raise FieldError("scatter_share", "{scatter_share} must be in [0, 1]")


@dataclass(frozen=True)
class Province:
    """A generated province, every frame in WGS-84.

    Attributes
    ----------
    districts
        ``district`` (``D001``...) and the polygon.
    nodes
        ``osmid``, ``x`` (lon), ``y`` (lat) of the road nodes.
    ways
        ``osmid``, ``nodes`` (the list of node ids) and ``highway``, ``name``.
    hotspots, stations, candidates
        ``id``, ``name``, ``district`` and the point; hotspots with ``weight``,
        candidates with ``category``.
    crs
        The metric CRS the province was drawn in.
    """

    districts: gpd.GeoDataFrame
    nodes: pd.DataFrame
    ways: pd.DataFrame
    hotspots: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    crs: pyproj.CRS


def _district_cells(plan: ProvincePlan) -> tuple[np.ndarray, float, int]:
    """The districts' centres (metres, origin at the province's south-west corner), the
    side of a district's cell and the number of columns."""
    cols = math.ceil(math.sqrt(plan.districts))
    side = math.sqrt(plan.nodes_per_district) * plan.block_m
    rng = np.random.default_rng([plan.seed, 0])
    k = np.arange(plan.districts)
    jitter = rng.uniform(-0.3, 0.3, size=(plan.districts, 2)) * side
    centres = np.column_stack([(k % cols + 0.5) * side, (k // cols + 0.5) * side]) + jitter
    return centres, side, cols


def _outline(plan: ProvincePlan, side: float, cols: int) -> shapely.Polygon:
    """Full rows of cells, then the last row as far as it goes."""
    full, rest = divmod(plan.districts, cols)
    boxes = [shapely.box(0, 0, cols * side, full * side)] if full else []
    if rest:
        boxes.append(shapely.box(0, full * side, rest * side, (full + 1) * side))
    return shapely.union_all(boxes).normalize()


def _districts(plan: ProvincePlan) -> tuple[np.ndarray, shapely.Polygon]:
    """The district polygons (metres) in the order of their names, and the outline."""
    centres, side, cols = _district_cells(plan)
    outline = _outline(plan, side, cols)
    points = shapely.points(centres)
    if plan.districts == 1:
        return np.array([outline], dtype=object), outline
    voronoi = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=outline)
    cells = shapely.get_parts(voronoi)
    polys = np.empty(plan.districts, dtype=object)
    for cell in cells:  # match each cell to the centre it holds
        inside = np.flatnonzero(shapely.contains(cell, points))
        polys[int(inside[0])] = shapely.intersection(cell, outline).normalize()
    return polys, outline


def _grid(plan: ProvincePlan, outline: shapely.Polygon) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The street grid's nodes (``osmid``, ``x``, ``y`` in metres) inside the outline and
    its ways (``osmid``, ``nodes``, ``highway``, ``name``): one way per unbroken run of a
    grid line."""
    rng = np.random.default_rng([plan.seed, 1])
    x0, y0, x1, y1 = outline.bounds
    nx_, ny_ = int(round((x1 - x0) / plan.block_m)) + 1, int(round((y1 - y0) / plan.block_m)) + 1
    ii, jj = np.meshgrid(np.arange(nx_), np.arange(ny_), indexing="xy")
    jitter = rng.uniform(-0.15, 0.15, size=(2, ny_, nx_)) * plan.block_m
    xs = x0 + ii * plan.block_m + jitter[0]
    ys = y0 + jj * plan.block_m + jitter[1]
    keep = shapely.contains_xy(outline.buffer(plan.block_m * 0.2), xs, ys)
    ids = np.where(keep, jj * nx_ + ii + 1, 0)  # 0: no node there
    nodes = pd.DataFrame({"osmid": ids[keep], "x": xs[keep], "y": ys[keep]})
    ways: list[tuple[list[int], str, str]] = []
    for axis, count, name in ((0, ny_, "East Road {}"), (1, nx_, "North Road {}")):
        drop = rng.random((ny_, nx_)) < plan.missing_share
        for line in range(count):
            row = ids[line] if axis == 0 else ids[:, line]
            gone = drop[line] if axis == 0 else drop[:, line]
            kind = _kind(line, plan.arterial_every)
            whole = kind != "residential"
            ways += _runs(row, np.zeros_like(gone) if whole else gone, kind, name.format(line + 1))
    frame = pd.DataFrame(ways, columns=["nodes", "highway", "name"])
    frame.insert(0, "osmid", np.arange(1, len(frame) + 1))
    return nodes, frame


def _kind(line: int, every: int) -> str:
    """The road class of grid line ``line``: an arterial every ``every`` lines, a
    cycleway half-way between two arterials (when they are at least four apart), else a
    residential street."""
    if line % every == 0:
        return "primary"
    return "cycleway" if every >= 4 and line % every == every // 2 else "residential"


def _runs(
    row: np.ndarray, gone: np.ndarray, highway: str, name: str
) -> list[tuple[list[int], str, str]]:
    """The unbroken runs of a grid line: split where a node is missing or the block from
    node ``k`` to ``k + 1`` is ``gone``."""
    out: list[tuple[list[int], str, str]] = []
    run: list[int] = []
    for k, node in enumerate(row):
        if node == 0:
            run = _flush(out, run, highway, name)
            continue
        run.append(int(node))
        if k + 1 < len(row) and gone[k]:
            run = _flush(out, run, highway, name)
    _flush(out, run, highway, name)
    return out


def _flush(
    out: list[tuple[list[int], str, str]], run: list[int], highway: str, name: str
) -> list[int]:
    if len(run) >= 2:
        out.append((run, highway, name))
    return []


def _points_in(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points drawn uniformly in ``poly`` (rejection from its box)."""
    x0, y0, x1, y1 = poly.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        xy = rng.uniform((x0, y0), (x1, y1), size=(max(2 * (n - len(out)), 8), 2))
        out = np.vstack([out, xy[shapely.contains_xy(poly, xy[:, 0], xy[:, 1])]])
    return out[:n]


def _hotspots(poly: shapely.Geometry, plan: ProvincePlan, rng: np.random.Generator) -> np.ndarray:
    """Hotspots round a few centres inside ``poly``, the rest scattered; clipped to it."""
    n = plan.hotspots_per_district
    n_scatter = int(round(n * plan.scatter_share))
    centres = _points_in(poly, plan.centres_per_district, rng)
    near = centres[rng.integers(0, len(centres), n - n_scatter)]
    sd = 0.08 * math.sqrt(poly.area)
    xy = near + rng.normal(0, sd, size=near.shape)
    outside = ~shapely.contains_xy(poly, xy[:, 0], xy[:, 1])
    xy[outside] = _points_in(poly, int(outside.sum()), rng)
    return np.vstack([xy, _points_in(poly, n_scatter, rng)])


def _points(plan: ProvincePlan, polys: np.ndarray, names: list[str]) -> dict[str, pd.DataFrame]:
    """Hotspots, stations and candidates of every district (metres)."""
    frames: dict[str, list[pd.DataFrame]] = {"hotspots": [], "stations": [], "candidates": []}
    for k, (poly, name) in enumerate(zip(polys, names, strict=True)):
        rng = np.random.default_rng([plan.seed, 2, k])
        hs = _hotspots(poly, plan, rng)
        st = _points_in(poly, plan.stations_per_district, rng)
        cd = _points_in(poly, plan.candidates_per_district, rng)
        weight = np.round(rng.lognormal(2.0, 0.8, len(hs)), 1) + 0.1
        category = rng.integers(0, len(CANDIDATE_CATEGORIES), len(cd))
        for role, xy, prefix, extra in (
            ("hotspots", hs, "H", {"weight": weight}),
            ("stations", st, "S", {}),
            ("candidates", cd, "C", {"category": [CANDIDATE_CATEGORIES[c] for c in category]}),
        ):
            ids = [f"{prefix}{name[1:]}-{i + 1:03d}" for i in range(len(xy))]
            frames[role].append(
                pd.DataFrame(
                    {
                        "id": ids,
                        "name": ids,
                        "district": name,
                        "x": xy[:, 0],
                        "y": xy[:, 1],
                        **extra,
                    }
                )
            )
    return {role: pd.concat(parts, ignore_index=True) for role, parts in frames.items()}


def _to_wgs84(frame: pd.DataFrame, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    pts = gpd.GeoSeries(shapely.points(frame["x"], frame["y"]), crs=crs).to_crs(WGS84)
    return gpd.GeoDataFrame(frame.drop(columns=["x", "y"]), geometry=pts.values, crs=WGS84)


def generate(plan: ProvincePlan | None = None) -> Province:
    """The province of ``plan`` (default :class:`ProvincePlan`); same plan, same province."""
    plan = plan or ProvincePlan()
    plan.check()
    lon, lat = plan.centre_lonlat
    crs = projected_crs_for(np.array([lon]), np.array([lat]))
    centre = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True).transform(lon, lat)
    polys, outline = _districts(plan)
    x0, y0, x1, y1 = outline.bounds
    dx, dy = centre[0] - (x0 + x1) / 2, centre[1] - (y0 + y1) / 2
    names = [f"D{k + 1:03d}" for k in range(plan.districts)]
    nodes, ways = _grid(plan, outline)
    points = _points(plan, polys, names)
    moved = shapely.transform(polys, lambda xy: xy + (dx, dy))
    districts = gpd.GeoDataFrame({"district": names}, geometry=moved, crs=crs).to_crs(WGS84)
    nodes_wgs = _to_wgs84(nodes.assign(x=nodes["x"] + dx, y=nodes["y"] + dy), crs)
    nodes_out = pd.DataFrame(
        {"osmid": nodes["osmid"].to_numpy(), "x": nodes_wgs.geometry.x.to_numpy(),
         "y": nodes_wgs.geometry.y.to_numpy()}
    )  # fmt: skip
    shifted = {r: _to_wgs84(f.assign(x=f["x"] + dx, y=f["y"] + dy), crs) for r, f in points.items()}
    return Province(districts, nodes_out, ways, shifted["hotspots"], shifted["stations"],
                    shifted["candidates"], crs)  # fmt: skip


def _write_network(province: Province, path: Path) -> None:
    """The roads as an OSM file (pbf or XML by ``path``'s suffix), nodes then ways, in id
    order, with no timestamps."""
    import osmium
    from osmium.osm.mutable import Node, Way

    path.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(path)) as writer:
        for osmid, x, y in province.nodes[["osmid", "x", "y"]].itertuples(index=False):
            writer.add_node(Node(id=int(osmid), location=(round(x, 7), round(y, 7)), version=1))
        for osmid, nodes, highway, name in province.ways.itertuples(index=False):
            writer.add_way(Way(id=int(osmid), nodes=nodes, version=1,
                               tags={"highway": highway, "name": name}))  # fmt: skip


def _point_csv(frame: gpd.GeoDataFrame, path: Path) -> None:
    out = pd.DataFrame(frame.drop(columns="geometry"))
    out["lon"] = frame.geometry.x.round(7).to_numpy()
    out["lat"] = frame.geometry.y.round(7).to_numpy()
    out.to_csv(path, index=False, lineterminator="\n")


def write(province: Province, out_dir: Path, *, network_format: str = "osm") -> dict[str, Path]:
    """The province as the files ``planner plan`` and ``planner region`` read:
    ``network.<format>``, ``districts.geojson`` and ``hotspots.csv``, ``stations.csv``,
    ``candidates.csv`` (``id, name, district, lon, lat`` and ``weight`` / ``category``;
    WGS-84). Returns the paths by role."""
    if network_format not in NETWORK_FORMATS:
        raise FieldError("network_format", "{network_format} must be one of {ok}, got {v!r}",
                         ok=NETWORK_FORMATS, v=network_format)  # fmt: skip
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"network": out / f"network.{network_format}", "districts": out / "districts.geojson"}
    _write_network(province, paths["network"])
    doc = json.loads(province.districts.to_json(drop_id=True))
    paths["districts"].write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    for role in ("hotspots", "stations", "candidates"):
        paths[role] = out / f"{role}.csv"
        _point_csv(getattr(province, role), paths[role])
    return paths
