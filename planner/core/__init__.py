"""Core: errors, coordinate systems, travel modes, defaults, units and labels, tolerances,
validation and progress helpers. Imports nothing else of the package."""
