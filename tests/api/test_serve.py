"""``metrocircle serve``: builds the app from the options, prints the address, runs uvicorn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import typer

from metrocircle.cli.serve import dashboard_url, serve_command

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8765, "http://127.0.0.1:8765/"),
        ("0.0.0.0", 9000, "http://127.0.0.1:9000/"),
        ("::", 80, "http://[::1]:80/"),
        ("example.org", 8080, "http://example.org:8080/"),
    ],
)
def test_dashboard_url(host: str, port: int, url: str) -> None:
    assert dashboard_url(host, port) == url


def test_serve_prints_the_address_and_runs_the_app(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    serve_command(host="127.0.0.1", port=8799, db=f"sqlite:///{tmp_path / 's.sqlite'}")
    out = capsys.readouterr().out
    assert "metrocircle dashboard: http://127.0.0.1:8799/" in out
    assert len(calls) == 1
    assert calls[0]["host"] == "127.0.0.1"
    assert calls[0]["port"] == 8799
    app = calls[0]["app"]
    assert app.state.settings.port == 8799
    assert app.state.region.name == "chongqing"
    assert "/api/region" in app.openapi()["paths"]


def test_serve_refuses_a_bad_dataset(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("must not start"))
    with pytest.raises(typer.Exit) as exc:
        serve_command(dataset=str(tmp_path / "nowhere"), db=f"sqlite:///{tmp_path / 's.sqlite'}")
    assert exc.value.exit_code == 2
    assert "nowhere" in capsys.readouterr().err
