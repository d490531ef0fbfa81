"""The forms of the application page: the panel's question, the applicant's answer, an appeal, an extension.

Each is posted to its own address and, done, goes back to the application page. Refused (a field that does
not validate, or a rule that says no), the application page comes again at once with the form as it was
typed and the reason, instead of a redirect to an empty form. These views are in ``pages`` because the
page they show again is; what they do is the domain's (``review.clarifications``, ``review.appeals``,
``assessment.domain``).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment import domain
from assessment.access import can_edit, get_application_for, get_editable_application_for, may_ask, organizer_required
from assessment.evidence import StorageError
from pages.application import application_page
from pages.extension import extension_form
from review.appeals import file_appeal
from review.clarifications import answer_clarification, ask_clarification
from review.errors import ReviewError
from review.forms import AnswerForm, AppealForm, QuestionForm
from review.models import Clarification


def _errors(form):
    return " ".join(error for errors in form.errors.values() for error in errors)


def _again(request, application, refused, **forms):
    messages.error(request, refused)
    return application_page(request, application, **forms)


@require_POST
def ask(request, pk):
    application = get_application_for(request, pk)
    if not may_ask(request.user, application):
        raise PermissionDenied(_("Only the panel can ask the applicant a question."))
    form = QuestionForm(request.POST)
    if not form.is_valid():
        return _again(
            request,
            application,
            _("The question was not sent: %(reason)s") % {"reason": _errors(form)},
            question_form=form,
        )
    try:
        ask_clarification(application, form.cleaned_data["question"], request.user)
    except ReviewError as refused:
        return _again(
            request, application, _("The question was not sent: %(reason)s") % {"reason": refused}, question_form=form
        )
    messages.success(request, _("Your question was sent to the applicant."))
    return redirect("application_detail", application.pk)


@require_POST
def answer(request, pk):
    clarification = get_object_or_404(Clarification.objects.select_related("application"), pk=pk)
    application = get_application_for(request, clarification.application_id)  # 404 for outsiders
    if not can_edit(request.user, application):
        raise PermissionDenied(_("Only the jurisdiction's staff can answer."))
    form = AnswerForm(request.POST, request.FILES, auto_id=f"id_answer{clarification.pk}_%s")
    # A browser never fills a file input again: the page says to choose the document again.
    chosen = request.FILES.get("document")
    again = " " + _("Choose %(file)s again to send it.") % {"file": chosen.name} if chosen and chosen.name else ""
    if not form.is_valid():
        return _again(
            request,
            application,
            _("The answer was not sent: %(reason)s") % {"reason": _errors(form)} + again,
            answer_form=(clarification.pk, form),
        )
    try:
        answer_clarification(
            clarification,
            form.cleaned_data["answer"],
            request.user,
            upload=form.cleaned_data.get("document"),
            checked=form.checked,
        )
    except (ReviewError, StorageError) as refused:
        # StorageError: the document could not be written (a full disk); the answer was not sent either.
        return _again(
            request,
            application,
            _("The answer was not sent: %(reason)s") % {"reason": refused} + again,
            answer_form=(clarification.pk, form),
        )
    messages.success(request, _("Your answer was sent to the panel."))
    return redirect("application_detail", application.pk)


@require_POST
def appeal(request, pk):
    application = get_editable_application_for(request, pk)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _again(
            request,
            application,
            _("Your appeal was not filed: %(reason)s") % {"reason": _errors(form)},
            appeal_form=form,
        )
    try:
        file_appeal(application, form.cleaned_data["statement"], request.user)
    except (domain.ApplicationError, ValueError) as refused:
        return _again(
            request, application, _("Your appeal was not filed: %(reason)s") % {"reason": refused}, appeal_form=form
        )
    messages.success(request, _("Your appeal is filed. The organizers will tell you the outcome."))
    return redirect("application_detail", application.pk)


@require_POST
@organizer_required
def extension(request, pk):
    application = get_application_for(request, pk)
    form = extension_form(application, data=request.POST)
    if not form.is_valid():
        return _again(
            request,
            application,
            _("The extension was not granted: %(reason)s") % {"reason": _errors(form)},
            extension=form,
        )
    try:
        domain.grant_extension(application, form.cleaned_data["until"], request.user)
    except domain.ApplicationError as refused:
        return _again(
            request, application, _("The extension was not granted: %(reason)s") % {"reason": refused}, extension=form
        )
    messages.success(request, _("The extension was granted."))
    return redirect("application_detail", application.pk)
