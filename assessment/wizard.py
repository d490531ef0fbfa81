"""The application wizard: formtools' NamedUrlWizardView, stored in the draft row.

Traps this avoids (see shared/peers.md): a GET never resets anything; the
draft id is in the URL and in the prefix, so two tabs never mix; every POST
(Next, Back, a jump to another step, Save and exit) stores what was typed,
valid or not, before anything else happens; strict validation only on Next
and Submit; a version number turns a colleague's concurrent save into a
clear conflict instead of a silent overwrite.
"""

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from formtools.wizard.storage.base import BaseStorage
from formtools.wizard.views import NamedUrlWizardView, StepsHelper

from assessment import answers, domain, evidence_views
from assessment.access import get_editable_application_for
from assessment.forms import STEP_TITLES, STEPS, EvidenceUploadForm
from config import faults
from scoring.domain import estimate_for

logger = logging.getLogger(__name__)
# What domain.save_draft changes on the application object; put back when the save fails.
SAVED_FIELDS = ("wizard_state", "answers", "version", "updated_by", "updated_at")


class DraftStorage(BaseStorage):
    """formtools storage whose only state, ``data``, is the application's draft row."""

    def __init__(self, prefix, request, application):
        super().__init__(prefix, request, file_storage=None)
        self.application = application
        state = application.wizard_state or {}
        self.init_data()
        self.data.update({key: state[key] for key in self.data if key in state})
        # Who saved each step, and when: formtools does not read it; domain.save_draft keeps it up to date.
        self.data["saved"] = state.get("saved", {})

    def reset(self):
        # formtools resets on some GETs; a draft is never thrown away by a page view.
        pass


class ApplicationWizard(NamedUrlWizardView):
    form_list = STEPS
    template_name = "assessment/wizard/step.html"

    def dispatch(self, request, *args, **kwargs):
        self.application = get_editable_application_for(request, kwargs["pk"])
        if not self.application.is_draft:
            messages.info(request, _("This application has been submitted; here is what was sent."))
            return redirect("application_detail", self.application.pk)
        self.prefix = f"application-{self.application.pk}"
        self.storage = DraftStorage(self.prefix, request, self.application)
        self.steps = StepsHelper(self)
        return TemplateView.dispatch(self, request, *args, **kwargs)

    def get_step_url(self, step):
        return reverse(self.url_name, kwargs={"pk": self.application.pk, "step": step})

    def get(self, request, *args, **kwargs):
        step = kwargs.get("step")
        if step not in self.get_form_list():
            raise Http404(_("No such step."))
        self.storage.current_step = step
        # Answers posted here after the session had ended (config/faults.py), held until now: saved like
        # any save, now that dispatch has checked that this user may edit this application. Used once.
        stash = faults.take_stash(request, self.application.pk, step)
        if stash is not None:
            answers = domain.strip_non_answers(stash["answers"], step)
            form = self.get_form(data=MultiValueDict(answers))
            refused = self.store_step(step, answers, form, step, stash["version"])
            if refused is None:
                messages.success(request, _("Your answers from before you signed in again are saved."))
                refused = redirect(self.get_step_url(step))
            return faults.forget_stash(refused)
        data = self.storage.get_step_data(step)
        if data is not None and hasattr(self.form_list[step], "form"):
            data = with_spare_rows(data, step)
        return self.render(self.get_form(data=data))

    def post(self, request, *args, **kwargs):
        step = kwargs.get("step")
        if step not in self.get_form_list():
            raise Http404(_("No such step."))
        self.storage.current_step = step
        # What is checked is what is stored: the fields the step's form reads, within their limits.
        answers = domain.strip_non_answers(request.POST, step)
        form = self.get_form(data=MultiValueDict(answers))

        goto = request.POST.get("wizard_goto_step")
        action = request.POST.get("action", "next")
        if action not in ("next", "save", "save_exit", "upload"):
            action = "save"
        if step == "evidence" and (action == "upload" or request.POST.get("remove")):
            target = step  # the answers are saved as typed; the page comes back with the document added
        elif goto in self.get_form_list():
            target = goto
        elif action == "next" and form.is_valid() and step != self.steps.last:
            target = self.get_next_step(step)
        else:
            target = step

        try:
            expected = int(request.POST.get("version", ""))
        except ValueError:
            expected = -1
        refused = self.store_step(step, answers, form, target, expected)
        if refused is not None:
            return refused
        if step == "evidence":
            upload_form = evidence_views.attach_from_step(request, self.application, action == "upload")
            if upload_form is not None:  # the file was not added: this step again, its answers saved
                self.storage.current_step = step
                return self.render(form, upload_form=upload_form)
            if action == "upload" or request.POST.get("remove"):
                return redirect(self.get_step_url(step))

        if target != step:
            return redirect(self.get_step_url(target))
        if action == "save_exit":
            messages.success(
                request,
                _("Your answers on “%(step)s” are saved. You can come back at any time.") % {"step": STEP_TITLES[step]},
            )
            return redirect("home")
        if action == "save":
            messages.success(request, _("Saved."))
            return redirect(self.get_step_url(step))
        if step == self.steps.last and form.is_valid():
            return self.submit(form)
        # Next on an invalid step: saved as typed, shown with its errors.
        return self.render(form, saved_with_errors=True)

    def store_step(self, step, answers, form, target, expected):
        """Save ``answers`` as ``step`` of the draft (the page then goes to ``target``): None when saved,
        else the page that says why not, with what was typed still in the form."""
        request = self.request
        # The steps saved before are held to the same rule, so a draft that grew before it existed shrinks
        # at its next save (what a form reads of them is unchanged).
        steps = self.get_form_list()
        step_data = {
            name: domain.strip_non_answers(raw, name) if name in steps else raw
            for name, raw in self.storage.data["step_data"].items()
        }
        step_data[step] = answers
        if len(json.dumps({**self.storage.data, "step_data": step_data})) > settings.DRAFT_MAX_BYTES:
            # Refused whole: the draft keeps what it held.
            messages.error(
                request,
                _(
                    "This page was not saved: with it the application would hold more than %(size)s of text. "
                    "Shorten your answers and save again; what was saved before is kept."
                )
                % {"size": filesizeformat(settings.DRAFT_MAX_BYTES)},
            )
            return self.render(form)
        saved_step_data = self.storage.data["step_data"]
        self.storage.data["step_data"] = step_data
        self.storage.current_step = target

        application = self.application
        before = {name: getattr(application, name) for name in SAVED_FIELDS}
        try:
            # The draft and its score together or not at all.
            with transaction.atomic():
                domain.save_draft(application, self.storage.data, request.user, expected, step=step)
        except domain.StaleVersion as conflict:
            self.storage.current_step = step
            return self.render_conflict(form, conflict)
        except domain.NotEditable as refused:
            messages.error(request, str(refused))
            return redirect("application_detail", application.pk)
        except (DatabaseError, OSError) as fault:
            # Nothing was stored (the transaction rolled back): the page says so and keeps what was typed.
            logger.exception("Draft %s: step %s not saved", application.pk, step)
            for name, value in before.items():
                setattr(application, name, value)
            self.storage.data["step_data"] = saved_step_data
            self.storage.current_step = step
            response = self.render(
                form,
                not_saved=_(
                    "Not saved: the server could not store your answers just now (%(reason)s). "
                    "What you typed is still below: try again in a minute, or copy it somewhere safe."
                )
                % {"reason": faults.fault_reason(fault)},
            )
            response.status_code = 503
            return faults.with_retry_after(response)
        return None

    def submit(self, form):
        try:
            application = domain.submit_application(self.application, self.request.user)
        except domain.Incomplete as incomplete:
            return self.render(form, problems=incomplete.problems)
        except domain.NotEditable as refused:
            messages.error(self.request, str(refused))
            return redirect("application_detail", self.application.pk)
        messages.success(
            self.request,
            _("Your application has been submitted. A receipt has been e-mailed to your jurisdiction's staff."),
        )
        return redirect("application_detail", application.pk)

    def render_conflict(self, form, conflict):
        """The step as typed, with each answer that differs from the one saved meanwhile, side by side."""
        step = self.steps.current
        saved = conflict.current.wizard_state.get("step_data", {}).get(step)
        self.application = conflict.current  # the page now carries the new version: saving again keeps yours
        self.storage.data = {**conflict.current.wizard_state, "step": step}
        return self.render(
            form,
            conflict=conflict,
            differences=answers.differences(step, saved, form.data),
        )

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        steps = []
        current_index = self.steps.index
        for index, (name, _form_class) in enumerate(STEPS):
            status = "current" if index == current_index else ("complete" if index < current_index else "")
            steps.append({"name": name, "title": STEP_TITLES[name], "status": status})
        context.update(
            application=self.application,
            step_title=STEP_TITLES[self.steps.current],
            step_list=steps,
            is_formset=hasattr(form, "forms"),
        )
        if self.steps.current == "evidence":
            context["documents"] = self.application.documents.all()
            if "upload_form" not in context:
                context["upload_form"] = EvidenceUploadForm(max_bytes=settings.EVIDENCE_MAX_BYTES)
                for field in context["upload_form"].fields.values():  # documents are optional: no "(required)"
                    field.required = False
            context["max_mb"] = settings.EVIDENCE_MAX_BYTES // 1_048_576
        if self.steps.current == "review":
            # The attestation is on this very page; the list is about the other steps.
            problems = [p for p in domain.problems_in(self.storage.data) if p["step"] != "review"]
            context.setdefault("problems", problems)
            context["can_submit_now"] = self.application.can_submit_now()
            context["standing"] = estimate_for(self.application)
        return context


SPARE_ROWS = 5


def with_spare_rows(data, prefix):
    """A stored formset shown again gets empty rows to add to (no JavaScript needed)."""
    data = data.copy()
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except ValueError:
        return data
    data[f"{prefix}-TOTAL_FORMS"] = str(min(total + SPARE_ROWS, 40))
    return data
