"""Build the embedded strategic network of the Chongqing dataset from ../shared/data.

Reads the rail and expressway registries, the unit seats (units.csv of the dataset), the
township points and the 2020 census, and writes into
``src/metrocircle/data/chongqing/network/``:

- ``nodes.csv``     stations, unit seats, township points, external destinations (WGS84)
- ``links.csv``     rail, road, access and external links with sourced/modelled flags
- ``parameters.toml`` every modelling assumption with value, unit and justification
- ``scenarios.toml``  baseline-2020, plan-2025, plan-2035 as lists of modifications
- ``zones.csv``     township zones with an ESTIMATED population (named method)
- ``calibration.csv`` + ``build_report.md``  fit against calibration_times.csv

Nothing here invents a figure: every length, speed, date and time comes from the cited
source file, or is computed from a named parameter of ``parameters.toml``. The steps live
in the package ``scripts/netbuild`` (one module per step, tests in tests/scripts). Run::

    .venv/bin/python scripts/build_network.py [--shared ../shared/data] [--no-calibrate]
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from netbuild.pipeline import build, main  # noqa: E402

__all__ = ["build", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
