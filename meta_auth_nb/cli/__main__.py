"""``python -m meta_auth_nb.cli``: the same as the ``meta-auth`` command."""

from __future__ import annotations

import sys

from .main import main

sys.exit(main())
