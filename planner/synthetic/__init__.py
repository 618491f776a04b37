"""Synthetic inputs made from a seed: rider pings (:mod:`planner.synthetic.pings`) for tests,
benchmarks and samples. Same seed, same data."""
