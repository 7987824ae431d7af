"""``python -m meta_auth_nb.scan``: the same as ``meta-auth scan``."""

from __future__ import annotations

import sys

from ..cli.scan import main

sys.exit(main())
