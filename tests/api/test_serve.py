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
    import socket

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    monkeypatch.setenv("METROCIRCLE_LANG", "en")  # the English lines (Chinese is the default)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:  # a port free right now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serve_command(host="127.0.0.1", port=port, db=f"sqlite:///{tmp_path / 's.sqlite'}")
    out = capsys.readouterr().out
    assert f"metrocircle dashboard: http://127.0.0.1:{port}/" in out
    assert len(calls) == 1
    assert calls[0]["host"] == "127.0.0.1"
    assert calls[0]["port"] == port
    app = calls[0]["app"]
    assert app.state.settings.port == port
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


def test_serve_says_the_port_is_taken_and_prints_no_address(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import socket

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("must not start"))
    monkeypatch.setenv("METROCIRCLE_LANG", "en")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(typer.Exit) as exc:
            serve_command(host="127.0.0.1", port=port, db=f"sqlite:///{tmp_path / 's.sqlite'}")
    captured = capsys.readouterr()
    assert exc.value.exit_code == 2
    assert f"Port {port} on 127.0.0.1 is already in use" in captured.err
    assert "--port" in captured.err
    assert "http://" not in captured.out


def test_a_free_port_has_no_problem() -> None:
    import socket

    from metrocircle.cli.serve import port_problem

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert port_problem("127.0.0.1", port) is None
    assert port_problem("no-such-host.invalid", port) is not None


def test_the_taken_port_message_is_chinese_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from metrocircle.cli.serve import port_problem

    monkeypatch.delenv("METROCIRCLE_LANG", raising=False)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        problem = port_problem("127.0.0.1", port)
    assert problem is not None
    assert f"端口 {port} 已被占用" in problem
