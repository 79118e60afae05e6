"""``python -m controls``: see ``controls.cli``."""

from controls.cli import main

raise SystemExit(main())
