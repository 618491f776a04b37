"""Analysis: snapping and network travel times, coverage and scores, isochrones."""
