"""Releases for analysts: anonymised national and pooled datasets, each with its codebook and
risk report, cut from one treated file per (spec, wave).

build.py builds one release (`build_release` of a `ReleaseOrder`); treated_cache.py keeps the
treated file; wave_treatment.py is the call into the anonymiser; release_risk.py the
release's own k check and risk report; formats.py the writers; codebook.py the codebook.

Nothing is imported here, so that naming the formats (formats.NAMES, as the API does) loads
neither pandas nor pyarrow: import from the module that holds what you need.
"""
