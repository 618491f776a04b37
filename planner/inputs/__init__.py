"""Inputs: the road network, point tables (hotspots, stations, candidates), rider pings,
sub-district areas and settings files. Each module imports core only (and the shared
readers ``points`` and ``_osm``)."""
