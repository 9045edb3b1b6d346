"""``metrocircle serve``: run the HTTP API and the one-map dashboard with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from metrocircle.cli._common import (
    DatasetOpt,
    LangOpt,
    StoreOpt,
    cli_lang,
    fail,
    fail_key,
    say,
    user_errors,
)

__all__ = ["dashboard_url", "port_problem", "serve_command"]

HostOpt = Annotated[
    str, typer.Option("--host", help="Interface to listen on (127.0.0.1: this machine only).")
]
PortOpt = Annotated[int, typer.Option("--port", help="TCP port to listen on.", min=1, max=65535)]
OpenOpt = Annotated[
    bool, typer.Option("--open/--no-open", help="Open the dashboard in the default browser.")
]


def dashboard_url(host: str, port: int) -> str:
    """The address a browser on this machine uses to reach the dashboard.

    Examples
    --------
    >>> dashboard_url("127.0.0.1", 8765)
    'http://127.0.0.1:8765/'
    >>> dashboard_url("0.0.0.0", 80)
    'http://127.0.0.1:80/'
    >>> dashboard_url("::1", 8000)
    'http://[::1]:8000/'
    """
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def port_problem(host: str, port: int, lang: str | None = None) -> str | None:
    """Why ``host:port`` cannot be listened on (taken, or no such interface), or None.

    The port is bound and released at once with ``SO_REUSEADDR``, as uvicorn binds it, so a
    socket still in TIME_WAIT does not count as taken; only a live listener or a bad host does.
    """
    import errno
    import socket

    from metrocircle.messages import lang_or_default, text

    lang = lang_or_default(lang)
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        detail = text("cli.unknown_host", lang, detail=exc.strerror)
        return text("cli.cannot_listen", lang, host=host, port=port, detail=detail)
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return text("cli.port_taken", lang, port=port, host=host)
            return text("cli.cannot_listen", lang, host=host, port=port, detail=exc.strerror or exc)
    return None


def serve_command(  # noqa: PLR0917 - typer options
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8765,
    dataset: DatasetOpt = "chongqing",
    db: StoreOpt = None,
    open_browser: OpenOpt = False,
    lang: LangOpt = None,
) -> None:
    """Serve the API and the one-map dashboard (一张图), then print its address."""
    import uvicorn

    from metrocircle.api.app import create_app, static_dir
    from metrocircle.settings import Settings

    lg = cli_lang(lang)
    with user_errors():
        settings = Settings(dataset=dataset, db=db, host=host, port=port)
        app = create_app(settings)
    if not (static_dir() / "index.html").is_file():
        fail_key("no_dashboard")
    problem = port_problem(host, port, lg)
    if problem:
        fail(problem)  # before the address is printed: nothing would answer there
    url = dashboard_url(host, port)
    say("dashboard_at", url=url)
    say("api_docs_at", url=url)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        # uvicorn's own X-Forwarded-For handling stays off: it trusts 127.0.0.1 by default and
        # takes a hop the client can write. The app alone decides the client address, from
        # METROCIRCLE_TRUSTED_PROXIES (metrocircle.api.deps.client_address).
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
    except OSError as exc:  # e.g. the port is taken
        fail_key("cannot_listen", host=host, port=port, detail=exc)
