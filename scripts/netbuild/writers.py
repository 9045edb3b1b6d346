"""Write nodes.csv and links.csv in the columns the model reads."""

from __future__ import annotations

import csv
from pathlib import Path

from metrocircle.network.model import LINK_COLUMNS, NODE_COLUMNS

from .common import Link, Node, fmt

__all__ = ["write_links", "write_nodes"]


def write_nodes(nodes: list[Node], path: Path) -> None:
    """Write nodes.csv."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(NODE_COLUMNS)
        for n in nodes:
            w.writerow(
                [
                    n.node_id,
                    n.kind,
                    n.name_zh,
                    f"{n.lon:.6f}",
                    f"{n.lat:.6f}",
                    n.code,
                    "true" if n.placed else "false",
                    n.placement,
                    n.source,
                ]
            )


def write_links(links: list[Link], path: Path) -> None:
    """Write links.csv."""
    cols = list(LINK_COLUMNS)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        for lk in links:
            w.writerow(
                [
                    lk.link_id,
                    lk.from_node,
                    lk.to_node,
                    lk.mode,
                    lk.category,
                    lk.ref,
                    lk.group,
                    lk.name_zh,
                    fmt(lk.length_km),
                    lk.length_kind,
                    fmt(lk.design_speed_kmh),
                    fmt(lk.minutes),
                    lk.source_kind,
                    lk.source,
                    lk.status,
                    "" if lk.in_service_year is None else lk.in_service_year,
                    lk.year_basis,
                    lk.project_id,
                    lk.extra.get("points", ""),
                ]
            )
