"""The ``meta-auth`` command line: one module per command, :func:`main` is the entry point."""

from __future__ import annotations

from .common import CommandContext
from .main import main

__all__ = ["CommandContext", "main"]
