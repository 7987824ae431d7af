"""Before the login dialog opens: what Graph lets an app know about itself, checked.

Auth layer. Meta's dialog ends on an error page, and never comes back, when
the app's settings refuse a login. Some of those settings can be read
beforehand with the app token (``APP_ID|APP_SECRET``): whether the id and the
secret go together (``GET /{app-id}``), which Facebook Login for Business
configurations the app has (its ``config_ids``), and how many people have a
role on it (``/{app-id}/roles``). :func:`check_login` reads them and stops a
login that would fail with :class:`~meta_auth_nb.errors.LoginBlocked`, saying
what to change. The rest (the app's mode, its Valid OAuth Redirect URIs)
Graph does not tell: :mod:`.dialog_pages` names those pages instead.

The panel and ``meta-auth login --oauth`` both call it before they show the
login link.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._base.commands import Place, quoted
from .._base.errors import GraphConnectionError, GraphError, TokenError
from .._base.login_errors import LoginBlocked
from .._base.settings import Settings
from .lifecycle import app_token, graph_session

if TYPE_CHECKING:
    from ..graph.drivers.sync import GraphSession

__all__ = ["AppFacts", "check_login"]


@dataclass(frozen=True)
class AppFacts:
    """What Graph said about the app a login uses.

    Attributes
    ----------
    app_id : str
    name : str or None
        The app's name.
    config_ids : tuple of str or None
        Its Login for Business configurations (None: Graph did not say).
    roles : int or None
        How many people have a role on it (None: Graph did not say).
    """

    app_id: str
    name: str | None = None
    config_ids: tuple[str, ...] | None = None
    roles: int | None = None


def check_login(
    app_id: str, app_secret: str, *, config_id: str | None = None, settings: Settings, **options: Any
) -> AppFacts:
    """Read what Graph tells the app about itself, and stop a login its settings would refuse.

    Raises
    ------
    LoginBlocked
        The id and the secret do not go together (or Meta knows no such
        app), or ``config_id`` is not one of the app's configurations.
    GraphConnectionError
        Graph could not be reached (the login could not finish either).
    """
    place = settings.place
    fields = "id,name" + (",config_ids" if config_id else "")
    with graph_session(app_token(app_id, app_secret), settings=settings, **options) as session:
        try:
            node = session.get(app_id, fields=fields)
        except GraphConnectionError:
            raise
        except (TokenError, GraphError) as error:
            if not _refused_app(error):
                return AppFacts(app_id)  # Graph would not say: the dialog will tell
            raise LoginBlocked(
                f"Meta did not accept app {app_id} with this app secret ({error.message})",
                hint="Copy both again from App settings > Basic of your app"
                + (", or leave the sandbox" if place.sandbox else "")
                + "; then log in again.",
                place=place,
            ) from None
        roles = _count_roles(session, app_id)
    name = str(node.get("name") or "") or None
    configs = _config_ids(node.get("config_ids")) if config_id else None
    if config_id and configs is not None and config_id not in configs:
        raise LoginBlocked(
            f"Configuration {config_id} is not one of the Facebook Login for Business configurations of "
            f"{name or 'app ' + app_id} ({_listed(configs)}), so Meta's login page would only say "
            "\u201cSorry, something went wrong\u201d",
            hint=_config_hint(place),
            place=place,
        )
    return AppFacts(app_id, name, configs, roles)


def _refused_app(error: GraphError) -> bool:
    """The app token itself was refused: a wrong secret, an unknown app (190, 101, 100/33)."""
    return isinstance(error, TokenError) or error.code in (101, 190) or (error.code == 100 and error.subcode == 33)


def _count_roles(session: GraphSession, app_id: str) -> int | None:
    try:
        return sum(1 for _ in session.pages(f"{app_id}/roles", limit=100))
    except GraphConnectionError:
        raise
    except GraphError:  # not every app token may read them; the dialog's own page says it
        return None


def _config_ids(raw: Any) -> tuple[str, ...] | None:
    """The ids in Graph's ``config_ids`` (strings, numbers, ``{"id": ...}`` objects, or a ``data`` list)."""
    if isinstance(raw, dict):
        raw = raw.get("data")
    if not isinstance(raw, Iterable) or isinstance(raw, (str, bytes)):
        return None
    ids = []
    for item in raw:
        value = (item.get("id") or item.get("config_id")) if isinstance(item, dict) else item
        if value is not None and str(value).strip().isdigit():
            ids.append(str(value).strip())
    return tuple(ids)


def _listed(configs: tuple[str, ...]) -> str:
    if not configs:
        return "it has none"
    return "it has " + ", ".join(configs)


def _config_hint(place: Place) -> str:
    if place.sandbox:
        ids = quoted("mab.kernel_sandbox().config_id('user')")
        return f"{ids} (or 'system_user') gives one of the sandbox's; enter it in the first step."
    return (
        "Copy the ID from App Dashboard > Facebook Login for Business > Configurations, or leave it empty for "
        f"classic Facebook Login; {place.login(config_id='ID')}."
    )
