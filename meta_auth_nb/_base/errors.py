"""Every exception the package raises: one tree under :class:`MetaAuthError`.

::

    MetaAuthError
    ├── ConfigError (also ValueError)      a setting or argument that cannot be used
    ├── StoreError                         the token store could not do what was asked
    │   ├── ProfileNotFound
    │   ├── InvalidProfileName (also ValueError)
    │   └── KeyringFailure                 internal: a keyring call failed (never leaves the store)
    ├── NotifyError                        the renewal email could not be built or sent
    ├── CommandError                       a ``meta-auth`` command stops (carries its exit code)
    ├── AutopilotError                     the sandbox autopilot did not reach "Use"
    ├── InsightsIncomplete                 .failures .partial .checkpoint: a pull ended with slices missing
    └── GraphError                         .code .subcode .type .fbtrace_id .status .message .hint
        ├── TokenError                     .reason
        │   ├── TokenMissing
        │   ├── TokenExpired
        │   └── TokenInvalidated
        ├── MissingPermission
        ├── RateLimited                    .retry_after .usage
        ├── TooMuchData                    "reduce the amount of data" (code 1), 100/1487534, timeouts (1504018)
        ├── InsightsQueryRefused           .part: Meta refused the query's breakdowns or metrics (2/1504041...)
        ├── InsightsSliceFailed            .account .since .until .ending .reason: one slice of a pull gave up
        ├── TransientError
        ├── GraphConnectionError           .before_send
        ├── InvalidAppSecretProof
        └── OAuthError
            ├── StateMismatch
            ├── LoginDenied
            ├── CodeExchangeFailed
            ├── CatcherTimeout             no redirect reached the local catcher in time (.opened)
            ├── LoginBlocked               the app's settings would stop the dialog: found before it opens
            ├── NotARedirect               what was pasted is not the address this login ends on
            └── RedirectPortBusy           another program holds the loopback redirect's port

    GraphVersionWarning (a UserWarning)    the pinned Graph version has ended for the Marketing API
    InsightsWarning (a UserWarning)        an insights query Meta answers with less than it asks (reach...)

Every message says what went wrong in plain words and what to do next, and
is redacted: no exception text ever carries a token or an app secret. The
login's branch (``OAuthError`` and below) is defined in :mod:`.login_errors`, the
insights pull's (``InsightsIncomplete``, ``InsightsQueryRefused``, ``InsightsSliceFailed``,
``InsightsWarning``) in :mod:`.insights_errors`;
``meta_auth_nb.errors`` is the public home of the whole tree.
Which Graph reply becomes which class is decided in
:mod:`meta_auth_nb.graph.classify`. Base layer; stdlib only.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .commands import Place
from .redact import redact
from .usage import Usage

__all__ = [
    "AutopilotError",
    "CommandError",
    "ConfigError",
    "GraphConnectionError",
    "GraphError",
    "GraphVersionWarning",
    "InvalidAppSecretProof",
    "InvalidProfileName",
    "KeyringFailure",
    "MetaAuthError",
    "MissingPermission",
    "NotifyError",
    "ProfileNotFound",
    "RateLimited",
    "StoreError",
    "TokenError",
    "TokenExpired",
    "TokenInvalidated",
    "TokenMissing",
    "TooMuchData",
    "TransientError",
]


class MetaAuthError(Exception):
    """Base of every error this package raises; its text is always redacted."""

    def __init__(self, message: str = "") -> None:
        super().__init__(redact(str(message)))


class ConfigError(MetaAuthError, ValueError):
    """A setting (environment variable, argument) has a value the extension cannot use."""


class StoreError(MetaAuthError):
    """The token store could not do what was asked; the message says why and what to do."""


class ProfileNotFound(StoreError):
    """No token is stored (or reachable) under the profile asked for.

    Attributes
    ----------
    profile : str
        The profile name that was looked up.
    """

    def __init__(self, message: str, *, profile: str = "") -> None:
        super().__init__(message)
        self.profile = profile  # pickled with the instance's __dict__, as every attribute set here


class InvalidProfileName(StoreError, ValueError):
    """A profile name that is not 1-64 letters, digits, ``-``, ``_`` or ``.``."""


class KeyringFailure(StoreError):
    """A keyring call failed; ``reason`` is redacted plain text.

    Internal to the store, which turns it into a memory fallback or a
    :class:`StoreError` with what to do.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = str(self)


class NotifyError(MetaAuthError):
    """The renewal email could not be built or sent (bad address, SMTP settings, server refused)."""


class CommandError(MetaAuthError):
    """A ``meta-auth`` command stops with one line on stderr and an exit code.

    Attributes
    ----------
    exit_code : int
        What the process exits with (see :mod:`meta_auth_nb.cli.common`).
    """

    def __init__(self, message: str, exit_code: int = 3) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class AutopilotError(MetaAuthError):
    """The sandbox autopilot did not get the panel to "Use"; the message is the panel's own."""


class GraphError(MetaAuthError):
    """An error reported by the Graph API (or on the way to it).

    Attributes
    ----------
    message : str
        Graph's message, redacted.
    code, subcode : int or None
        Graph's ``code`` and ``error_subcode``.
    type : str or None
        Graph's error ``type`` (``OAuthException``...).
    fbtrace_id : str or None
        Quote it when asking Meta for help.
    status : int or None
        The HTTP status.
    hint : str
        What to do next.
    user_title, user_msg : str or None
        Graph's ``error_user_title`` / ``error_user_msg`` when sent.
    is_transient : bool
        Graph marked it transient (worth retrying).
    place : Place
        Where the error is read: a default hint names the commands that work there.
    """

    #: What to do, when no hint is given; ``{login}`` is the login command of the place it is read at.
    default_hint = "Check the request; quote the fbtrace_id if you ask Meta for help."

    @classmethod
    def situation_hint(cls, place: Place | None = None) -> str:
        """:attr:`default_hint` with ``{login}`` filled in for ``place`` (default: either a notebook or a terminal)."""
        if "{" not in cls.default_hint:
            return cls.default_hint
        return cls.default_hint.format(login=(place or Place()).login())

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        subcode: int | None = None,
        type: str | None = None,
        fbtrace_id: str | None = None,
        status: int | None = None,
        hint: str | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
        is_transient: bool = False,
        place: Place | None = None,
    ) -> None:
        self.message = redact(str(message or "Unknown error"))
        self.code, self.subcode, self.type, self.fbtrace_id, self.status = code, subcode, type, fbtrace_id, status
        self.place = place or Place()
        self._given_hint = bool(hint)
        self.hint = redact(hint or self.situation_hint(self.place))
        self.user_title, self.user_msg = (redact(text) if text else None for text in (user_title, user_msg))
        self.is_transient = is_transient
        Exception.__init__(self, self._render())

    def _render(self) -> str:
        ids = []
        if self.code is not None:
            ids.append(f"code {self.code}" + (f"/{self.subcode}" if self.subcode is not None else ""))
        if self.fbtrace_id:
            ids.append(f"fbtrace_id {self.fbtrace_id}")
        detail = f" ({', '.join(ids)})" if ids else ""
        text = f"{self.message}{detail}."
        # What Meta wrote for the person using the app says most about what to do.
        said = ": ".join(p.strip() for p in (getattr(self, "user_title", None), getattr(self, "user_msg", None)) if p)
        if said:
            text += f" Meta says: {said}" + ("" if said.endswith((".", "!", "?")) else ".")
        return f"{text} {self.hint}"

    def placed(self, place: Place) -> GraphError:
        """This error as read at ``place``: a default hint then names the commands that work there.

        A hint given when the error was made is kept as it is.
        """
        if self._given_hint or place == self.place:
            return self
        state = {**self.__dict__, "place": place, "hint": redact(self.situation_hint(place))}
        return _rebuild(type(self), state)

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep exceptions picklable (multiprocessing, papermill) with all fields.
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[GraphError], state: dict[str, Any]) -> GraphError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, err._render())
    return err


class TokenError(GraphError):
    """The access token cannot be used (code 190, 102, 104).

    Attributes
    ----------
    reason : str
        Why, in plain words (from the token-error table, :mod:`.token_errors`).
    """

    default_hint = "Check that the whole token was copied, or log in again for a new one ({login})."
    default_reason = "the token is invalid"

    def __init__(self, message: str, *, reason: str | None = None, **kw: Any) -> None:
        self.reason = reason or self.default_reason
        super().__init__(message, **kw)


class TokenMissing(TokenError):
    """No access token was sent."""

    default_hint = "Pass a token, set META_ACCESS_TOKEN, or run {login}."


class TokenExpired(TokenError):
    """The token's lifetime is over (190/463)."""

    default_hint = "Get a new token: log in again with {login}."
    default_reason = "the token has expired"


class TokenInvalidated(TokenError):
    """The token was invalidated before its expiry (password change, app removed...)."""

    default_hint = "Get a new token: log in again with {login}."


class MissingPermission(GraphError):
    """The token lacks a permission the call needs (code 10, 200-299)."""

    default_hint = (
        "Log in again asking for the permission it needs; if it was declined, "
        "use auth_type='rerequest' so the dialog asks again."
    )


class RateLimited(GraphError):
    """A rate limit was hit (codes 4, 17, 32, 613, 80000-80014).

    Attributes
    ----------
    retry_after : float or None
        Seconds to wait before access comes back, when the headers say.
    usage : Usage or None
        The usage headers of the refused response.
    """

    default_hint = "Wait and retry, and spread calls out (fewer, larger pages; batch requests)."

    def __init__(
        self, message: str, *, retry_after: float | None = None, usage: Usage | None = None, **kw: Any
    ) -> None:
        self.retry_after = retry_after
        self.usage = usage
        if retry_after and "hint" not in kw:
            kw["hint"] = f"Access should come back in about {retry_after:.0f} s; wait, then retry with fewer calls."
        super().__init__(message, **kw)


class TransientError(GraphError):
    """A temporary Graph failure (code 1, 2, HTTP 5xx) that survived the retries."""

    default_hint = "This is on Meta's side and usually passes: retry in a minute."


class GraphConnectionError(GraphError):
    """The Graph API could not be reached (DNS, refused, reset, timeout): never a refusal by Graph.

    Attributes
    ----------
    before_send : bool
        True when the connection never opened, so the request surely did
        not reach Graph and sending it again cannot do anything twice.
    host : str
        The host that could not be reached (``graph.facebook.com``).
    kind : str
        What failed: ``lookup`` (the name, so most likely offline),
        ``refused``, ``timeout``, ``dropped``, ``secure`` (TLS), or ``other``.
    """

    default_hint = "Check the network connection (are you offline?) and META_GRAPH_URL, then retry."
    #: What each kind of failure is, in words (``{host}`` filled in).
    WORDS: ClassVar[dict[str, str]] = {
        "lookup": "Could not reach {host}: its name could not be looked up, so this machine seems to be offline",
        "refused": "Could not reach {host}: the connection was refused",
        "timeout": "{host} did not answer in time",
        "dropped": "The connection to {host} broke before its answer arrived",
        "secure": "Could not make a secure connection to {host}",
        "other": "Could not reach {host}",
    }

    def __init__(self, message: str, *, before_send: bool = False, host: str = "", kind: str = "other", **kw: Any):
        self.before_send, self.host, self.kind = before_send, host, kind
        super().__init__(message, **kw)

    @classmethod
    def failed(cls, kind: str, host: str, *, before_send: bool = False) -> GraphConnectionError:
        """The error for a connection to ``host`` that failed this ``kind`` of way, in plain words."""
        words = cls.WORDS.get(kind, cls.WORDS["other"])
        return cls(words.format(host=host or "the Graph API"), before_send=before_send, host=host, kind=kind)

    @property
    def headline(self) -> str:
        """One line for a title: ``Could not reach graph.facebook.com: are you offline?``."""
        return f"Could not reach {self.host or 'the Graph API'}: are you offline?"


class InvalidAppSecretProof(GraphError):
    """``appsecret_proof`` did not match, or the app requires one."""

    default_hint = "Use the app secret of the token's own app (App settings > Basic)."


class TooMuchData(GraphError):
    """Graph wants less data per call: code 1 "Please reduce the amount of data you're asking for", or 100/1487534."""

    default_hint = (
        "Ask for less per call (a shorter time range, fewer breakdowns, a less detailed level) or use an async "
        "report run; meta.insights() does both by itself."
    )


class GraphVersionWarning(UserWarning):
    """The pinned Graph API version has ended for the Marketing API (``X-Ad-Api-Version-Warning``, code 2635).

    Issued once per session, naming the setting to change (``META_GRAPH_VERSION``).
    """


def public_home(classes: dict[str, Any], names: list[str]) -> None:
    """Name the public import path of each class in tracebacks and pickles, not its private module:
    ``meta_auth_nb.errors`` for all, ``meta_auth_nb.store`` for the store's."""
    for name in names:
        cls = classes[name]
        in_store = issubclass(cls, StoreError) and cls is not KeyringFailure
        cls.__module__ = "meta_auth_nb.store" if in_store else "meta_auth_nb.errors"


public_home(globals(), __all__)
