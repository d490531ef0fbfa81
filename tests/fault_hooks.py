"""Crash points inside real processes, for tests/test_faults.py. The application never imports this.

A stack process (tests/stack.py) started through this module has one real
function wrapped, chosen by the environment, so a test can crash it at that
exact point of its work:

- ``FAULT_AT``: the point, a key of ``POINTS``.
- ``FAULT_ACTION=die``: the process SIGKILLs itself there: no exception, no
  rollback by Python, no atexit, as when the machine loses the process.
- ``FAULT_ACTION=wait``: it creates ``$FAULT_GATE/<point>.reached`` and waits
  there, so the test knows where it is, until the test kills it (or creates
  ``$FAULT_GATE/<point>.open``).

Two settings the environment cannot reach through config/settings.py:
``FAULT_MAIL_DIR`` (receipts written as files there) and
``FAULT_LEASE_SECONDS`` (reports.tasks' lease, shortened).

Entry points: ``install()`` in a script, ``wsgi()`` for gunicorn
(``tests.fault_hooks:wsgi()``), ``worker()`` for ``run_worker``.
"""

import os
import signal
import sys
import time
from pathlib import Path


def _stop(point):
    if os.environ.get("FAULT_ACTION", "die") == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    gate = Path(os.environ["FAULT_GATE"])
    (gate / f"{point}.reached").touch()
    while not (gate / f"{point}.open").exists():
        time.sleep(0.05)


def _wrap(module, name, point, after, only=None):
    real = getattr(module, name)

    def wrapped(*args, **kwargs):
        chosen = only is None or only(*args, **kwargs)
        if chosen and not after:
            _stop(point)
        result = real(*args, **kwargs)
        if chosen and after:
            _stop(point)
        return result

    setattr(module, name, wrapped)


def _submitted(actor, action, *args, **kwargs):
    return action == "application.submitted"


def _points():
    # Imported here: Django must be set up first.
    from assessment import domain, evidence
    from reports import render
    from scoring import domain as scoring_domain

    # Point: (module, function, stop after it rather than before, which calls).
    return {
        # assessment.domain.submit_application, in the order it runs:
        "status_saved": (domain, "audit", False, _submitted),  # the status row updated, nothing else yet
        "audited": (domain, "audit", True, _submitted),  # and the audit event written
        "rubric_frozen": (domain, "freeze_rubric", True, None),  # and the cycle's rubric frozen
        "rescoring": (scoring_domain, "_upsert", True, None),  # and the new score row written, inside the rescore
        "committed": (domain, "send_receipt", False, None),  # committed; the receipt not sent yet
        # reports.tasks.generate_report: the item claimed, the render about to start.
        "render": (render, "render_pdf", False, None),
        # assessment.evidence.store_document (tests/test_file_integrity_processes.py): the file whole under its temporary
        # name and the row saved, not committed; then the same with the file renamed into place.
        "document_written": (evidence.PendingFile, "place", False, None),
        "document_placed": (evidence.PendingFile, "place", True, None),
    }


POINTS = ("status_saved", "audited", "rubric_frozen", "rescoring", "committed")  # the submission's, in order


def install():
    """Wrap the function FAULT_AT names (if any) and apply the FAULT_* settings. Django must be set up."""
    from django.conf import settings

    if os.environ.get("FAULT_MAIL_DIR"):
        settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
        settings.EMAIL_FILE_PATH = os.environ["FAULT_MAIL_DIR"]
    if os.environ.get("FAULT_LEASE_SECONDS"):
        settings.REPORT_LEASE_SECONDS = float(os.environ["FAULT_LEASE_SECONDS"])
    point = os.environ.get("FAULT_AT")
    if point:
        module, name, after, only = _points()[point]
        _wrap(module, name, point, after, only)


def wsgi():
    """gunicorn's application: the site's own, with install() applied."""
    from config.wsgi import application

    install()
    return application


def worker():
    """``manage.py run_worker`` with install() applied; its arguments are this process's."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    install()
    call_command("run_worker", *sys.argv[1:])
