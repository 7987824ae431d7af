"""What ``meta.insights()`` is asked: its arguments, named, defaulted and checked in this one place.

``GraphSession.insights``, ``AsyncGraphSession.insights`` and the notebook's
``ainsights`` take the same keywords; each builds one
:class:`InsightsArguments` from them (:meth:`InsightsArguments.of`), which
checks them all before any call and raises
:class:`~meta_auth_nb.errors.ConfigError` for what cannot work (an unknown
date preset or level, a ``time_range`` backwards, both a preset and a range,
an id that is not an ad account's). The drivers plan the pull from that
value: :attr:`InsightsArguments.query` is the checked Graph query
(:class:`~.query.InsightsQuery`), :attr:`InsightsArguments.account_ids`
the accounts asked for. Graph layer, I/O-free.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

from ..._base.errors import ConfigError
from ..request import encode_params
from .query import DATE_PRESETS, DEFAULT_FIELDS, LEVELS, InsightsQuery
from .state import ProgressCallback

__all__ = ["DEFAULT_CONCURRENCY", "InsightsArguments", "account_ids"]

#: A day as ``time_range`` takes it: ``"2025-01-31"`` or a date.
Day = str | _dt.date
#: Slices in flight at once when the call does not say (the async session uses its ``max_concurrency``).
DEFAULT_CONCURRENCY = 20
#: Parameters the pull sets itself.
_OWN = frozenset({"time_range", "time_ranges", "date_preset", "after", "before", "access_token", "limit"})


@dataclass(frozen=True)
class InsightsArguments:
    """The arguments of ``insights(accounts, **keywords)``, as given (see ``GraphSession.insights`` for each).

    Attributes
    ----------
    accounts : str or sequence of str
        ``"act_<id>"``, several, or ``"all"``.
    fields, level, date_preset, time_range, time_increment, breakdowns, action_breakdowns, filtering
        What Graph is asked (checked into :attr:`query`).
    raw : bool
        Graph's shapes instead of the tidy frame.
    checkpoint : str or Path or None
        The file that records the pull as it arrives.
    progress : bool or callable
        ``True``: a progress bar; a callable gets each ``InsightsProgress``; ``False``: nothing.
    concurrency : int or None
        Slices in flight at once; None leaves it to the session.
    page_size : int
        Rows per page.
    params : mapping
        Any other Graph parameter (every keyword that names none of the above).
    """

    accounts: str | Sequence[str]
    fields: str | Sequence[str] | None = None
    level: str | None = None
    date_preset: str | None = None
    time_range: Mapping[str, Day] | Sequence[Day] | None = None
    time_increment: int | str | None = None
    breakdowns: str | Sequence[str] | None = None
    action_breakdowns: str | Sequence[str] | None = None
    filtering: str | Sequence[Mapping[str, Any]] | None = None
    raw: bool = False
    checkpoint: str | Path | None = None
    progress: bool | ProgressCallback = True
    concurrency: int | None = None
    page_size: int = 500
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, accounts: str | Sequence[str], **keywords: Any) -> InsightsArguments:
        """The checked arguments of ``insights(accounts, **keywords)``; keywords that name no argument go to Graph.

        Raises
        ------
        ConfigError
            What cannot work, said before any call is made.
        """
        named = {f.name for f in fields(cls)} - {"accounts", "params"}
        arguments = cls(
            accounts,
            **{k: v for k, v in keywords.items() if k in named},
            params={k: v for k, v in keywords.items() if k not in named},
        )
        arguments.check()
        return arguments

    def check(self) -> None:
        """Check every argument now, not after the first calls.

        Raises
        ------
        ConfigError
            What cannot work.
        """
        _ = self.query, self.account_ids
        if self.concurrency is not None and int(self.concurrency) < 1:
            raise ConfigError("concurrency is 1 or more (slices fetched at once)")

    @cached_property
    def account_ids(self) -> list[str] | None:
        """The ``act_`` ids asked for, in order, each once; None for ``"all"``."""
        return account_ids(self.accounts)

    @cached_property
    def query(self) -> InsightsQuery:
        """The Graph query every slice asks, checked and in Graph's terms."""
        level = (self.level or "account").strip().lower()
        if level not in LEVELS:
            raise ConfigError(f"level is one of {', '.join(LEVELS)}; got {level!r}")
        if self.date_preset is not None and self.time_range is not None:
            raise ConfigError("give date_preset or time_range, not both")
        if self.date_preset is not None and self.date_preset not in DATE_PRESETS:
            raise ConfigError(f"date_preset {self.date_preset!r} is not one of: {', '.join(DATE_PRESETS)}")
        if not 1 <= int(self.page_size) <= 500:
            raise ConfigError("page_size is from 1 to 500 (rows per page)")
        own = sorted(k for k in self.params if k in _OWN)
        if own:
            raise ConfigError(
                f"{', '.join(own)}: the pull sets these itself (use time_range= or date_preset=, and page_size=)"
            )
        filtering = self.filtering
        if filtering is not None and not isinstance(filtering, str):
            filtering = json.dumps(filtering, separators=(",", ":"), sort_keys=True)
        return InsightsQuery(
            fields=_names(self.fields, "fields") or DEFAULT_FIELDS,
            level=level,
            time_increment=_increment(self.time_increment),
            breakdowns=_names(self.breakdowns, "breakdowns"),
            action_breakdowns=_names(self.action_breakdowns, "action_breakdowns"),
            filtering=filtering,
            date_preset=None if self.time_range is not None else (self.date_preset or "last_30d"),
            time_range=_range(self.time_range) if self.time_range is not None else None,
            extra=tuple(sorted(encode_params(self.params).items())),
            page_size=int(self.page_size),
        )

    def fingerprint(self) -> dict[str, Any]:
        """The pull as plain JSON values: a checkpoint resumes only the same accounts and query."""
        accounts = self.accounts if isinstance(self.accounts, str) else list(self.accounts)
        return {"accounts": accounts, **self.query.fingerprint()}


def account_ids(accounts: str | Sequence[str] | int) -> list[str] | None:
    """The ``act_`` ids asked for, in order, each once; None for ``"all"``.

    Raises
    ------
    ConfigError
        For no account, or one that is not an ad account id.
    """
    if isinstance(accounts, str) and accounts.strip().lower() == "all":
        return None
    items = [accounts] if isinstance(accounts, (str, int)) else list(accounts)
    ids: list[str] = []
    for item in items:
        text = str(item).strip()
        digits = text[4:] if text.startswith("act_") else text
        if not digits.isdigit():
            raise ConfigError(f"{text!r} is not an ad account id: use 'act_<digits>', a list of them, or 'all'")
        ids.append(f"act_{digits}")
    if not ids:
        raise ConfigError("no ad account given: pass 'act_<id>', a list of ids, or 'all'")
    return list(dict.fromkeys(ids))


def _names(value: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    names = tuple(dict.fromkeys(str(v).strip() for v in items if str(v).strip()))
    if any(not n.replace("_", "").replace(".", "").isalnum() for n in names):
        raise ConfigError(f"{what} must be names like 'impressions' or 'age', got {list(names)!r}")
    return names


def _day(value: Any, what: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"time_range {what} must be a date (YYYY-MM-DD), got {value!r}") from None


def _range(value: Any) -> tuple[_dt.date, _dt.date]:
    if isinstance(value, Mapping):
        if "since" not in value or "until" not in value:
            raise ConfigError("time_range needs 'since' and 'until': {'since': '2025-01-01', 'until': '2025-03-31'}")
        since, until = _day(value["since"], "since"), _day(value["until"], "until")
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        since, until = _day(value[0], "since"), _day(value[1], "until")
    else:
        raise ConfigError("time_range is {'since': 'YYYY-MM-DD', 'until': 'YYYY-MM-DD'} or a (since, until) pair")
    if since > until:
        raise ConfigError(f"time_range: since ({since}) is after until ({until})")
    return since, until


def _increment(value: Any) -> str:
    text = str(value).strip().lower() if value is not None else "all_days"
    if text in ("monthly", "all_days"):
        return text
    if text.isdigit() and 1 <= int(text) <= 90:
        return str(int(text))
    raise ConfigError(f"time_increment is a number of days from 1 to 90, 'monthly' or 'all_days'; got {value!r}")
