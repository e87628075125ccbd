"""The web site: reader pages (``reader``), editor and reviewer pages (``editor``), sessions and CSRF
(``session``), one script everywhere (``script``), diffs (``diffview``) and pictures (``svg``)."""

from __future__ import annotations

from .editor import EditorController
from .page import install_globals
from .reader import ReaderController
from .session import RegistrySessionStore, csrf_config, session_config

WEB_HANDLERS = [ReaderController, EditorController]

__all__ = ["WEB_HANDLERS", "install_globals", "csrf_config", "session_config", "RegistrySessionStore"]
