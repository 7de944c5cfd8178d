"""Benchmarks: they print figures (as ratios to the physical floor where there is one) and
assert nothing. `make bench` runs them all (`python -m benchmarks`)."""
