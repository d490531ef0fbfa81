"""How many child processes of one kind (PDF renders, evidence checks) a web process runs at once.

The size comes from a setting, read when the slots are first used, not at
import: the PDF renderer is imported by its render processes without Django
set up (``django.conf.settings`` is lazy: importing it reads nothing).
"""

import threading

from django.conf import settings

_UNSET = object()


class ProcessSlots:
    def __init__(self, setting, default=_UNSET):
        self.setting = setting
        self.default = default
        self._semaphore = None
        self._lock = threading.Lock()

    def semaphore(self):
        """The process-wide BoundedSemaphore, made on first use."""
        with self._lock:
            if self._semaphore is None:
                size = (
                    getattr(settings, self.setting)
                    if self.default is _UNSET
                    else getattr(settings, self.setting, self.default)
                )
                self._semaphore = threading.BoundedSemaphore(size)
            return self._semaphore
