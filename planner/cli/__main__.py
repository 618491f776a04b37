"""``python -m planner.cli``."""

from . import main

main()
