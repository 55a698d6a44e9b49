"""`protocolkit serve [DIR] [--port N] [--host H]`: the web application on a real WSGI server (waitress).

On the loopback address anyone at this computer may use it, as with any local tool; on any other address it asks
for an access token, made afresh at each start and printed with the address to open (as Jupyter does). Ctrl-C or
SIGTERM stop it with 130 or 143 and one line naming the files it saved.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
import socket
import sys
import threading
from pathlib import Path

from protocolkit.findings import InputError, visible

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_command(folder: Path | None, host: str, port: int, threads: int = 4) -> int:
    """Serve the partnership files under `folder` (the shipped examples, read-only, when None) until stopped."""
    from waitress import create_server

    from protocolkit.resources import data_dir
    from protocolkit.stopping import stoppable
    from protocolkit.web.app import create_app

    read_only = folder is None
    root = data_dir("examples") if folder is None else folder
    if not root.exists():
        raise InputError(f"{root}: no such folder: name a folder of partnership files (protocolkit init DIR makes one)")
    if not root.is_dir():
        raise InputError(f"{root}: is a file, not a folder: name the folder that holds it")
    if not 0 <= port <= 65535:
        raise InputError(f"--port {port}: a port is a number from 1 to 65535 (0 picks a free one)")
    # waitress warns on stderr whenever a request waits for a thread; a queue of one or two is no news to a user
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    token = None if is_loopback(host) else secrets.token_urlsafe(24)
    app = create_app(root.resolve(), token=token, read_only=read_only)
    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="protocolkit",
                               clear_untrusted_proxy_headers=True)
    except OSError as exc:
        raise InputError(f"{host}:{port}: cannot listen there: {exc.strerror or exc}: choose another --port") from None
    # every address: name the computer, as the others will reach it
    shown_host = socket.gethostname() if host in ("0.0.0.0", "::", "") else (f"[{host}]" if ":" in host else host)
    address = f"http://{shown_host}:{server.effective_port}/"
    where = "the shipped examples (read-only)" if read_only else str(root)
    print(visible(f"protocolkit serve: {where}"), flush=True)
    print(f"open {address}{'?token=' + token if token else ''}", flush=True)
    if token:
        print("this address is reachable from other computers: the token in it is needed to use it; put the force's "
              "own sign-in in front of it before sharing it", flush=True)
    print("press Ctrl-C to stop", file=sys.stderr, flush=True)
    # The server runs in a thread of its own, and the main thread only waits: waitress's loop catches whatever is
    # raised inside it (Stopped too), so a signal must reach the main thread where nothing else is running.
    thread = threading.Thread(target=server.run, name="protocolkit-serve", daemon=True)
    thread.start()
    with stoppable():  # a signal stops it at once (exit 130 or 143, one line; every save is whole)
        while thread.is_alive():
            thread.join(0.5)
    print("protocolkit: the web server stopped unexpectedly", file=sys.stderr)
    return 1
