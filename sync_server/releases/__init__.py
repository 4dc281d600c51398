"""Releases for analysts: anonymised national and pooled datasets, each with its codebook and
risk report, cut from one treated file per (spec, wave). See release.py."""

from sync_server.releases.refusals import ReleaseRefused
from sync_server.releases.release import ReleaseResult, build_release
from sync_server.releases.seed import load_release_seed
from sync_server.releases.waves import wave_of

__all__ = ["ReleaseRefused", "ReleaseResult", "build_release", "load_release_seed", "wave_of"]
