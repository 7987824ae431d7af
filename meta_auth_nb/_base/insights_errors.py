"""The insights pull's exceptions: a query Meta refused, a slice that gave up, a pull that ended short.

Base layer, stdlib only. Part of the one tree drawn in :mod:`.errors`; public
as ``meta_auth_nb.errors``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .errors import GraphError, MetaAuthError, public_home

if TYPE_CHECKING:  # named in a type only: the base layer imports nothing but the standard library
    import pandas as pd

__all__ = ["InsightsIncomplete", "InsightsQueryRefused", "InsightsSliceFailed", "InsightsWarning"]


class InsightsQueryRefused(GraphError):
    """Meta refused what an insights query asks for: its breakdowns (2/1504041) or custom metrics (2/1504042).

    Not transient: the same query fails the same way every time, so a pull stops at its first refusal.

    Attributes
    ----------
    part : str
        What was refused, in words (``breakdowns``, ``custom metrics``).
    """

    default_hint = (
        "Change that part of the query (Meta's breakdown reference lists the combinations it accepts), then run "
        "the pull again."
    )

    def __init__(self, message: str, *, part: str = "query", **kw: Any) -> None:
        self.part = part
        super().__init__(message, **kw)


class InsightsSliceFailed(GraphError):
    """One slice of an insights pull (``.account``, ``.since``, ``.until``) gave up.

    ``.ending``: how its last report run ended (``Job Failed``...); ``.reason``: why, as Meta said it
    (the run's ``error_code``/``error_subcode``/``error_message``), when it said.
    """

    default_hint = "Run the same pull again with the same checkpoint= file: only the missing slices are fetched."

    def __init__(self, message: str, *, account: str = "", since: str = "", until: str = "", **kw: Any) -> None:
        self.account, self.since, self.until = account, since, until
        self.ending: str | None = kw.pop("ending", None)
        self.reason: str | None = kw.pop("reason", None)
        super().__init__(message, **kw)


class InsightsIncomplete(MetaAuthError):
    """An insights pull ended with slices missing: ``.failures`` (why, per slice), ``.partial`` (the
    DataFrame of what arrived), ``.checkpoint`` (the file to resume from, if any)."""

    def __init__(
        self,
        message: str = "",
        *,
        failures: Iterable[GraphError] = (),
        partial: pd.DataFrame | None = None,
        checkpoint: str | None = None,
    ) -> None:
        self.failures: list[GraphError] = list(failures)
        self.partial, self.checkpoint = partial, checkpoint
        super().__init__(message)


class InsightsWarning(UserWarning):
    """An insights query Meta answers with less than it asks: reach, frequency or cpp with breakdowns
    for days more than 13 months back (dropped since June 2025)."""


public_home(globals(), __all__)
