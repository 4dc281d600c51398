"""The CIPS results report: key-factor indices, breakdowns and wave changes, computed from a
release file only, so that an analyst can recompute every figure from what they downloaded.

The statistics are pure functions of a frame (estimates, factor_index, cells); reading
releases and writing pages and charts come after them.
"""
