"""The login panel as text: what it is and where it works, for wherever its widgets cannot show.

A saved or converted notebook (``jupyter nbconvert``, papermill, GitHub's
notebook view) and ``jupyter console`` show an output's ``text/plain``
form, not its widgets; without this, that form is the widget's own repr
(``VBox(children=(HTML(value="<style>…``). :func:`panel_text` is what they
show instead: one paragraph saying what the panel is, the step it was at,
where it works, and the commands that do the same without it.
"""

from __future__ import annotations

from ..._base.commands import ANYWHERE, Place

__all__ = ["panel_text"]


def panel_text(step: str, profile: str, place: Place) -> str:
    """The panel's plain-text form, at ``step``, for ``profile`` (the commands named are ``place``'s)."""
    anywhere = Place(ANYWHERE, sandbox=place.sandbox, default_profile=place.default_profile)
    return (
        f"meta_auth_nb login panel (profile {profile}, step: {step}). An interactive panel of widgets: it shows in "
        "JupyterLab, Jupyter Notebook 7, VS Code and Colab, not in a converted or saved notebook or a console. "
        f"To log in here, open the notebook in one of those and run {place.login(profile)}, or use "
        f"{anywhere.login(profile)}."
    )
