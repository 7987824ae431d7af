"""Getting and keeping a token: OAuth, lifecycle calls, the redirect catcher, health verdicts, ``session()``."""
