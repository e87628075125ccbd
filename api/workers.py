"""What a ``shuyu serve --workers N`` worker process runs first: it ends when its parent ends.

uvicorn's supervisor (the ``shuyu serve`` process) forks the workers. If the supervisor is killed with
SIGKILL it cannot stop them, and orphaned workers would keep serving and hold the port, so the next
start fails with "Address already in use". Each worker therefore asks Linux for SIGTERM when its parent
dies (``prctl(PR_SET_PDEATHSIG)``), and elsewhere watches its parent from a thread.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

PARENT_ENV = "SHUYU_SUPERVISOR_PID"
PR_SET_PDEATHSIG = 1

log = logging.getLogger("shuyu")


def end_with_parent(parent: int) -> None:
    """Make this process get SIGTERM when ``parent`` is gone (at once if it is gone already)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        except (OSError, AttributeError):
            _watch(parent)
    else:
        _watch(parent)
    if os.getppid() != parent:  # the parent died before the request above: nobody will signal us
        os.kill(os.getpid(), signal.SIGTERM)


def _watch(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        log.warning("the shuyu serve process %d is gone; this worker stops", parent)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def worker_app():
    """uvicorn's factory for ``serve --workers N``: tie the worker to its supervisor, then build the app."""
    from .app import app_from_environment

    parent = os.environ.get(PARENT_ENV)
    if parent and parent.isascii() and parent.isdigit() and int(parent) != os.getpid():
        end_with_parent(int(parent))
    return app_from_environment()
