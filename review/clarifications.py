"""Questions from the panel to an applicant, and the applicant's one answer; the thread is part of the record."""

from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from assessment.audit import audit, said
from assessment.evidence import store_document
from assessment.models import Application
from review.errors import ReviewError
from review.mail import mail_staff, notify_answer
from review.models import Clarification

ALREADY_ANSWERED = gettext_lazy("This question has already been answered; your answer was not sent.")


def ask_clarification(application, question, by):
    """A reviewer or organizer asks the applicant a question; the thread is part of the record."""
    question = question.strip()
    if not question:
        raise ReviewError(_("Write the question."))
    if application.status != Application.Status.SUBMITTED:
        raise ReviewError(_("Questions can be asked only about submitted applications."))
    with transaction.atomic():
        clarification = Clarification.objects.create(application=application, asked_by=by, question=question)
        words = said(gettext_noop("Asked: %(question)s"), question=question[:200])
        audit(by, "clarification.asked", application=application, words=words)

        def write():  # in the jurisdiction's language (``mail_staff``)
            subject = _("A question about your %(cycle)s application") % {"cycle": application.cycle}
            body = _(
                "The review panel asks:\n\n%(question)s\n\nAnswer it on your application's page. "
                "Your application itself stays as submitted.\n"
            ) % {"question": question}
            return subject, body

        transaction.on_commit(lambda: mail_staff(application, write))
    return clarification


def answer_clarification(clarification, answer, by, upload=None, checked=None):
    """The applicant answers once, with text and optionally a PDF (added to the evidence, audited).

    Once only, also under parallel requests: the answer claims the question with
    ``UPDATE … WHERE answered_at IS NULL`` before anything else is written, so a
    second answer finds nothing to claim and stores no document. A file stored by
    a transaction that then fails is removed again.
    """
    answer = answer.strip()
    if not answer:
        raise ReviewError(_("Write your answer."))
    if clarification.answered_at:
        raise ReviewError(str(ALREADY_ANSWERED))
    with _atomic_removing_files_on_failure() as stored:
        claimed = Clarification.objects.filter(pk=clarification.pk, answered_at=None).update(
            answer=answer, answered_by=by, answered_at=timezone.now()
        )
        if not claimed:
            raise ReviewError(str(ALREADY_ANSWERED))
        document = None
        if upload is not None:
            document = store_document(clarification.application, "other", upload, checked, by, answering=True)
            stored.append(document.file)
            Clarification.objects.filter(pk=clarification.pk).update(document=document)
        clarification.refresh_from_db()
        words = said(gettext_noop("Answered: %(answer)s"), answer=answer[:200])
        audit(by, "clarification.answered", application=clarification.application, words=words)
        transaction.on_commit(lambda: notify_answer(clarification, answer))
    return clarification


@contextmanager
def _atomic_removing_files_on_failure():
    """``transaction.atomic()``; the stored files put in the list it yields are deleted if it does not commit.

    A file is written to storage before the row that names it; when the
    transaction rolls back (a refusal, an error, a lost race), nothing would name it.
    """
    stored = []
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        for file in stored:
            file.storage.delete(file.name)
        raise
