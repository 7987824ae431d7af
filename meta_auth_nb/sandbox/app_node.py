"""The app's own Graph node, ``/{app-id}``, and its ``roles`` edge: what Graph tells an app about itself.

Read with the app token (``APP_ID|APP_SECRET`` or a ``client_credentials``
one), as on real Graph: the app's ``id``, ``name``, ``link``, the ids of its
Facebook Login for Business configurations (``config_ids``), and who has a
role on it (``/{app-id}/roles``: ``app_id``, ``user``, ``role``). Graph tells
nothing more about the app's settings: not its mode, nor its Valid OAuth
Redirect URIs, so neither does the sandbox. Another token may read the public
fields (``id``, ``name``, ``link``) only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .data import parse_fields, pick_fields
from .errors import GraphError, unsupported
from .state import Token
from .wire import Request, Response

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["app_node"]

#: Graph's plural role names, by the sandbox's role.
_ROLE_NAMES = {"administrator": "administrators", "developer": "developers", "tester": "testers"}
_PUBLIC = ("id", "name", "link")


def app_node(engine: Engine, req: Request, tok: Token, edge: str | None) -> Response:
    """Answer ``GET /{app-id}`` and ``GET /{app-id}/roles``."""
    st, setup = engine.state, engine.app_setup
    app_id = st.app.app_id
    if req.method != "GET" or edge not in (None, "roles"):
        raise unsupported(req.method, app_id)
    is_app = tok.kind == "app" and tok.app_id == app_id
    if edge == "roles":
        if not is_app:
            raise GraphError("(#15) This method must be called with an app access token.", 15, "OAuthException")
        with setup.lock:
            roles = sorted(setup.roles.items())
        rows = [
            {"app_id": app_id, "user": st.person(user).id, "role": _ROLE_NAMES.get(role, role)}
            for user, role in roles
            if user in st.users
        ]
        return Response(body={"data": rows})
    node = {
        "id": app_id,
        "name": st.app.name,
        "link": f"{engine.graph_url}/apps/{app_id}",
        "config_ids": [{"id": c.id, "name": c.name} for c in setup.configs.values()],
    }
    fields = parse_fields(req.params.get("fields"))
    private = [f for f in fields or () if f not in _PUBLIC and f in node]
    if private and not is_app:
        raise GraphError(
            f"(#10) Requires an app access token to read {', '.join(private)} of an app.", 10, "OAuthException"
        )
    return Response(body=pick_fields(node, fields, ("id", "name", "link")))
