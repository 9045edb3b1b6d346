"""Validation of a dataset's network files, called by the Region loader (all-or-nothing import)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from metrocircle._errors import Problem
from metrocircle.network.model import FILE_KEYS, validate_links, validate_nodes
from metrocircle.network.parameters import read_parameters

__all__ = ["validate_network_files"]


def validate_network_files(path: Path, manifest: Any) -> list[Problem]:
    """Every problem of the network files a manifest declares ([] when it declares none).

    Parameters
    ----------
    path
        The dataset folder.
    manifest
        The validated :class:`metrocircle.schema.Manifest`.
    """
    files = getattr(manifest, "files", {}) or {}
    declared = {k: files[k].path for k in FILE_KEYS if k in files}
    if not declared:
        return []
    problems: list[Problem] = []
    nodes = None
    if "network_nodes" in declared:
        nodes, p = validate_nodes(path / declared["network_nodes"])
        problems += [Problem(declared["network_nodes"], x.row, x.field, x.message) for x in p]
    if "network_links" in declared:
        ids = None if nodes is None else set(nodes["node_id"])
        _, p = validate_links(path / declared["network_links"], ids)
        problems += [Problem(declared["network_links"], x.row, x.field, x.message) for x in p]
    if "network_parameters" in declared:
        _, p = read_parameters(path / declared["network_parameters"])
        problems += [Problem(declared["network_parameters"], x.row, x.field, x.message) for x in p]
    if "network_scenarios" in declared:
        from metrocircle.network.scenarios import read_scenarios

        _, p = read_scenarios(path / declared["network_scenarios"])
        problems += [Problem(declared["network_scenarios"], x.row, x.field, x.message) for x in p]
    if "network_zones" in declared:
        from metrocircle.access.zones import read_zones

        _, p = read_zones(path / declared["network_zones"])
        problems += [Problem(declared["network_zones"], x.row, x.field, x.message) for x in p]
    if "network_published_times" in files:
        from metrocircle.access.published import read_published

        pt = files["network_published_times"].path
        codes = None
        if "units" in files and (path / files["units"].path).is_file():
            with (path / files["units"].path).open(encoding="utf-8-sig", newline="") as fh:
                codes = {r["code"] for r in csv.DictReader(fh)}
        _, p = read_published(path / pt, codes)
        problems += [Problem(pt, x.row, x.field, x.message) for x in p]
    return problems
