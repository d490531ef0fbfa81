"""The page benchmark's settings: the project's own, with a bare view beside its URLs (bench/urls.py)
and the static files collected into the benchmark's temporary folder (BENCH_STATIC_ROOT)."""

import os
from pathlib import Path

from config.settings import *  # noqa: F403 (everything else identical: middleware, sessions, database)

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
