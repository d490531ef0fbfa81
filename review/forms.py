"""Every form of the review panel: questions and answers, reviews, panel settings, decisions, appeals."""

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assessment.forms import DeadlineField, UswdsForm, style_for_uswds
from assessment.models import User
from assessment.validators import check_pdf
from review.models import Appeal, Decision, ReviewSettings
from scoring.levels import label as level_label


class QuestionForm(UswdsForm):
    question = forms.CharField(
        label=gettext_lazy("Question for the applicant"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AnswerForm(UswdsForm):
    answer = forms.CharField(
        label=gettext_lazy("Your answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    document = forms.FileField(
        label=gettext_lazy("A document that answers it (PDF, optional)"),
        required=False,
        help_text=gettext_lazy(
            "It is added to the application's evidence; the rest of the application stays as submitted."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].widget.attrs["accept"] = "application/pdf,.pdf"
        self.checked = None  # what check_pdf made of the document: the copy to store

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload:
            if upload.size > settings.EVIDENCE_MAX_BYTES:
                raise forms.ValidationError(
                    _("The file is larger than %(size)s MB.")
                    % {"size": f"{settings.EVIDENCE_MAX_BYTES / 1_048_576:.0f}"},
                    code="too_large",
                )
            self.checked = check_pdf(upload)
        return upload


class ReviewForm(UswdsForm):
    """One reviewer's review: judged criteria against their anchors, adjustments with reasons, comments."""

    comments_for_applicant = forms.CharField(
        label=gettext_lazy("Comments for the applicant"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("The applicant reads these in their report."),
    )
    private_notes = forms.CharField(
        label=gettext_lazy("Private notes for the panel"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Never shown to the applicant."),
    )

    def __init__(self, *args, rubric, rule, **kwargs):
        """``rule``: the application's rule result as stored (``review.rule_scores.rule_result``)."""
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        self.judged_fields, self.adjust_fields = [], []
        for criterion in rubric.criteria:
            if criterion.is_judged:
                choices = self.anchor_choices(criterion)
                name = f"judged_{criterion.code}"
                self.fields[name] = forms.ChoiceField(
                    label=_("%(code)s %(title)s (0 to %(most)s)")
                    % {"code": criterion.code, "title": criterion.title, "most": f"{float(criterion.points):g}"},
                    choices=choices,
                    required=False,
                    widget=forms.RadioSelect,
                )
                self.judged_fields.append((criterion, name))
            else:
                points, reason = f"adjust_{criterion.code}", f"reason_{criterion.code}"
                self.fields[points] = forms.DecimalField(
                    label=_("Adjusted points for %(code)s") % {"code": criterion.code},
                    required=False,
                    min_value=0,
                    max_value=criterion.points,
                    decimal_places=2,
                    error_messages={
                        "max_value": _("At most %(most)s points.") % {"most": f"{float(criterion.points):g}"}
                    },
                )
                self.fields[reason] = forms.CharField(
                    label=_("Why you adjust %(code)s") % {"code": criterion.code}, required=False, max_length=1000
                )
                rule_points = rule["criteria"].get(criterion.code)
                # What static/js/review_total.js reads to add up the reviewer's total as they type.
                self.fields[points].widget.attrs.update(
                    {"data-rule-points": "" if rule_points is None else rule_points, "data-most": criterion.points}
                )
                self.adjust_fields.append((criterion, rule_points, points, reason))
        style_for_uswds(self)

    @staticmethod
    def anchor_choices(criterion):
        """Each whole number of points of a judged criterion, worded by its anchor ("4 — Sustained …"); the
        points between two anchors say so ("3 — between the anchors for 2 and 4"). In French, the anchors
        written in French (``params["anchors_fr"]``), each missing one in English."""
        anchors = dict(criterion.params.get("anchors", {}))
        language = (translation.get_language() or "en").split("-")[0]
        if language != "en":
            anchors.update(criterion.params.get(f"anchors_{language}") or {})
        written = sorted(int(n) for n in anchors if str(n).isdigit())
        choices = []
        for n in range(int(criterion.points) + 1):
            below = [a for a in written if a < n]
            above = [a for a in written if a > n]
            if str(n) in anchors:
                label = f"{n} — {anchors[str(n)]}"
            elif below and above:
                label = _("%(points)s — between the anchors for %(below)s and %(above)s") % {
                    "points": n,
                    "below": below[-1],
                    "above": above[0],
                }
            else:
                label = str(n)
            choices.append((str(n), label))
        return choices

    def clean(self):
        data = super().clean()
        for criterion, rule_points, points, reason in self.adjust_fields:
            value = data.get(points)
            if value is not None and rule_points is not None and float(value) != float(rule_points):
                if not (data.get(reason) or "").strip():
                    self.add_error(
                        reason,
                        _("Say why you adjust %(code)s from %(points)s points.")
                        % {"code": criterion.code, "points": f"{float(rule_points):g}"},
                    )
        return data

    def scores(self):
        data = self.cleaned_data
        judged = {c.code: int(data[name]) for c, name in self.judged_fields if data.get(name) not in (None, "")}
        adjustments = {}
        for criterion, rule_points, points, reason in self.adjust_fields:
            value = data.get(points)
            if value is not None and rule_points is not None and float(value) != float(rule_points):
                adjustments[criterion.code] = {"points": float(value), "reason": data[reason].strip()}
        return judged, adjustments

    @staticmethod
    def initial_for(review):
        initial = {
            "comments_for_applicant": review.comments_for_applicant,
            "private_notes": review.private_notes,
        }
        initial.update({f"judged_{code}": str(points) for code, points in review.judged.items()})
        for code, adjustment in review.adjustments.items():
            initial[f"adjust_{code}"] = adjustment["points"]
            initial[f"reason_{code}"] = adjustment["reason"]
        return initial


class PanelSettingsForm(forms.ModelForm):
    class Meta:
        model = ReviewSettings
        fields = [
            "reviewers_per_application",
            "max_per_reviewer",
            "review_deadline",
            "appeal_deadline",
            "disagreement_margin",
            "divergence_margin",
        ]
        field_classes = {"review_deadline": DeadlineField, "appeal_deadline": DeadlineField}
        # The models' field names, as labels in the reader's language.
        labels = {
            "reviewers_per_application": gettext_lazy("Reviewers per application"),
            "max_per_reviewer": gettext_lazy("Max per reviewer"),
            "review_deadline": gettext_lazy("Review deadline"),
            "appeal_deadline": gettext_lazy("Appeal deadline"),
            "disagreement_margin": gettext_lazy("Disagreement margin"),
            "divergence_margin": gettext_lazy("Divergence margin"),
        }
        widgets = {
            # The format a datetime-local input takes; Django's default (with a space and seconds) shows empty.
            "review_deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "appeal_deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Deadlines are typed and shown on the clock of the cycle's time zone, which the label names.
        zone = self.instance.cycle.time_zone if self.instance.cycle_id else settings.TIME_ZONE
        for name in ("review_deadline", "appeal_deadline"):
            self.fields[name].zone = zone
            self.fields[name].label = _("%(label)s (date and time in %(zone)s)") % {
                "label": self.fields[name].label,
                "zone": zone,
            }
        style_for_uswds(self)


class DecisionForm(UswdsForm):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    level = forms.ChoiceField(label=gettext_lazy("Level (when designated)"), required=False)
    rationale = forms.CharField(
        label=gettext_lazy("Rationale"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for overriding the suggestion"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Needed only when the decision differs from the engine's suggestion."),
    )
    # The current decision when the page was made (its id; empty: none yet). A decision recorded by
    # someone else in between is not silently superseded (review.decisions.decide, ``replaces``).
    current = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "—")] + [(name, level_label(name)) for name, _minimum in levels]

    def replaces(self):
        """The decision this one replaces, as ``decide(replaces=…)`` takes it: its id, or None."""
        current = self.cleaned_data.get("current", "").strip()
        if not current:
            return None
        return int(current) if current.isascii() and current.isdigit() else -1  # -1: matches no decision


class AppealOutcomeForm(UswdsForm):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[
            (Appeal.Outcome.UPHELD, gettext_lazy("Uphold")),
            (Appeal.Outcome.CHANGED, gettext_lazy("Change the decision")),
        ],
    )
    designated = forms.BooleanField(label=gettext_lazy("Designated after the change"), required=False)
    level = forms.ChoiceField(label=gettext_lazy("Level after the change (when designated)"), required=False)
    notes = forms.CharField(label=gettext_lazy("Reasons"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, levels=(), **kwargs):
        """``levels``: the rubric's, as (name, minimum) pairs; the new level is one of them."""
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "—")] + [(name, level_label(name)) for name, _minimum in levels]

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Appeal.Outcome.CHANGED:
            if data.get("designated") and not data.get("level") and "level" not in self.errors:
                self.add_error("level", forms.ValidationError(_("Choose the level after the change."), code="no_level"))
            elif data.get("level") and not data.get("designated"):
                self.add_error(
                    "level",
                    forms.ValidationError(
                        _("A level goes with a designation: tick “Designated after the change”, or choose no level."),
                        code="level_without_designation",
                    ),
                )
        return data


class AssignForm(forms.Form):
    """A reviewer for one application, picked from those offered (``candidates``): active reviewers without a
    conflict of interest with it (``review.conflicts``) and not assigned to it already. Anyone else posted is
    refused with the reason (code ``conflict``, ``assigned``, ``not_offered``), never a server error."""

    reviewer = forms.ModelChoiceField(
        User.objects.filter(role=User.Role.REVIEWER),
        label=gettext_lazy("Assign a reviewer"),
        error_messages={
            "required": gettext_lazy("Choose a reviewer."),
            "invalid_choice": gettext_lazy("Choose a reviewer from the list."),
        },
    )

    def __init__(self, *args, application=None, offered=None, **kwargs):
        """``offered``: ``review.queries.assignable(application)`` — (candidates, conflicted, taken ids)."""
        super().__init__(*args, **kwargs)
        self.application = application
        self.candidates, self.conflicted, self.taken = offered or ([], [], set())
        chosen = str(self.data.get("reviewer", "")) if self.is_bound else ""
        for candidate in self.candidates:
            candidate.chosen = str(candidate.pk) == chosen

    @property
    def left_out_in_words(self):
        n = len(self.conflicted)
        if not n:
            return _("No reviewer is left out for a conflict of interest.")
        return ngettext(
            "%(count)s reviewer is left out for a conflict of interest with %(jurisdiction)s.",
            "%(count)s reviewers are left out for a conflict of interest with %(jurisdiction)s.",
            n,
        ) % {"count": n, "jurisdiction": self.application.jurisdiction}

    def clean_reviewer(self):
        reviewer = self.cleaned_data["reviewer"]
        if self.application is None or any(c.pk == reviewer.pk for c in self.candidates):
            return reviewer
        if reviewer.pk in self.taken:
            raise forms.ValidationError(
                _("%(reviewer)s is already assigned to this application.") % {"reviewer": reviewer}, code="assigned"
            )
        if any(c.pk == reviewer.pk for c in self.conflicted):
            raise forms.ValidationError(
                _("%(reviewer)s has a conflict of interest with %(jurisdiction)s.")
                % {"reviewer": reviewer, "jurisdiction": self.application.jurisdiction},
                code="conflict",
            )
        raise forms.ValidationError(
            _("%(reviewer)s is not an active reviewer.") % {"reviewer": reviewer}, code="not_offered"
        )


class AppealForm(UswdsForm):
    statement = forms.CharField(
        label=gettext_lazy("Your statement"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("What should the panel reconsider, and why?"),
    )
