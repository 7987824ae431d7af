"""``python -m meta_auth_nb.sandbox``: run the sandbox in the foreground."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
