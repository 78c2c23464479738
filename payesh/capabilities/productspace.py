"""The Atlas product space from the installed ``atlas-common-data`` package (never downloaded).

* nodes: ``classification/raw/umap_ps.csv`` — HS92 4-digit ``product_code``, layout ``x``/``y``,
  cluster, and the Atlas PCI;
* edges: ``classification/product/hs92_ps_edges.csv`` — the backbone network as pairs of Atlas
  ``product_id``, mapped to codes with ``classification/product/hs92.csv``.

Without world data loaded, Payesh uses this network as the external product space: its PCI as the
external PCI and its edges, each with weight 1, as the proximity (so density is the share of a
product's network neighbours the region has). That is an approximation of the Atlas's continuous
proximity and is labelled as such on the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from payesh.analytics.complexity import FloatArray


def _data_dir() -> Path:
    return Path(str(resources.files("atlas_common_data"))) / "data" / "classification"


@dataclass(frozen=True)
class ProductSpace:
    products: tuple[str, ...]  # (P,) HS92 4-digit codes, sorted
    names: tuple[str, ...]  # (P,) English short names
    x: FloatArray  # (P,)
    y: FloatArray  # (P,)
    cluster: tuple[str, ...]  # (P,)
    pci: FloatArray  # (P,) Atlas PCI
    edges: tuple[tuple[int, int], ...]  # index pairs
    adjacency: FloatArray  # (P, P) 0/1 symmetric, diagonal 0

    def index(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.products)}


@lru_cache(maxsize=1)
def atlas_product_space() -> ProductSpace:
    base = _data_dir()
    nodes = pd.read_csv(base / "raw" / "umap_ps.csv", dtype={"product_code": str})
    nodes["product_code"] = nodes["product_code"].str.zfill(4)
    nodes = nodes.drop_duplicates("product_code").sort_values("product_code").reset_index(drop=True)
    catalogue = pd.read_csv(base / "product" / "hs92.csv", dtype={"code": str},
                            usecols=["product_id", "code", "name_short_en", "product_level"])
    catalogue = catalogue[catalogue["product_level"] == 4]
    names = dict(zip(catalogue["code"], catalogue["name_short_en"], strict=False))
    code_of = dict(zip(catalogue["product_id"], catalogue["code"], strict=False))
    products = tuple(nodes["product_code"].tolist())
    index = {c: i for i, c in enumerate(products)}
    raw_edges = pd.read_csv(base / "product" / "hs92_ps_edges.csv")
    pairs: set[tuple[int, int]] = set()
    for source, target in zip(raw_edges["source"], raw_edges["target"], strict=True):
        a, b = index.get(code_of.get(source, "")), index.get(code_of.get(target, ""))
        if a is not None and b is not None and a != b:
            pairs.add((min(a, b), max(a, b)))
    adjacency = np.zeros((len(products), len(products)))
    for a, b in pairs:
        adjacency[a, b] = adjacency[b, a] = 1.0
    return ProductSpace(
        products=products, names=tuple(str(names.get(c, c)) for c in products),
        x=nodes["x"].to_numpy(dtype=np.float64), y=nodes["y"].to_numpy(dtype=np.float64),
        cluster=tuple(nodes["cluster_name_short"].astype(str).tolist()),
        pci=nodes["pci"].to_numpy(dtype=np.float64), edges=tuple(sorted(pairs)), adjacency=adjacency)
