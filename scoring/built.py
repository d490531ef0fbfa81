"""The rubrics built for the engine in this process (``Rubric.to_engine``), the most recently used few.

Keyed by what identifies one version of one rubric (``scoring.models.Rubric.to_engine`` says what): a
rubric changed anywhere is read with a new key, so an entry is never out of date, only unused. Each
process keeps its own; the database's version and stamp are what tell them apart.
"""

import threading
from collections import OrderedDict


class Built:
    def __init__(self, size=16):
        self.size = size
        self._built = OrderedDict()
        self._lock = threading.Lock()  # gunicorn threads share the process

    def get(self, key, build):
        """The rubric built under ``key``; built now with ``build()`` (queries, outside the lock) if missing."""
        with self._lock:
            found = self._built.get(key)
            if found is not None:
                self._built.move_to_end(key)
                return found
        found = build()
        with self._lock:
            self._built[key] = found
            while len(self._built) > self.size:
                self._built.popitem(last=False)
        return found

    def __len__(self):
        return len(self._built)

    def clear(self):
        with self._lock:
            self._built.clear()


ENGINES = Built()
