"""A whole city or province in one run: the districts partitioned with a halo, each planned
on its own clipped network on Dask, and the region table of every district's figures."""
