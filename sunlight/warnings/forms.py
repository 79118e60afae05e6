"""Forms of the warning pages: the queue's filters and one form per lifecycle step."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sunlight.core.models import User
from sunlight.org.labels import user_label
from sunlight.risks.models import Level
from sunlight.warnings.models import AppealOutcome, Measure, Outcome, Stage, Status


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Status.choices], required=False
    )
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("All")), *Stage.choices], required=False
    )
    rule = forms.ChoiceField(label=_("Rule"), choices=[("", _("All"))], required=False)
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", _("All"))], required=False)
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month", "class": "form-control"}),
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=[("", _("All")), *Level.choices], required=False
    )

    def __init__(self, *args: Any, rules: list[str], units: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["rule"].choices = [("", _("All")), *((r, r) for r in rules)]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [("", _("All")), *units]  # type: ignore[attr-defined]
        for name in ("status", "stage", "rule", "unit", "risk_level"):
            self.fields[name].widget.attrs["class"] = "form-select"


class VerifierField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A user to verify a warning, listed by name."""

    def label_from_instance(self, obj: Any) -> str:
        return user_label(obj)


class AssignForm(forms.Form):
    verifier = VerifierField(
        label=_("Verifier"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Chosen by Sunlight (unit head, or the office)"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=_text(2))

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["verifier"].queryset = candidates  # type: ignore[attr-defined]


class ReassignForm(forms.Form):
    verifier = VerifierField(
        label=_("New verifier"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(label=_("Reason"), widget=_text(2))

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["verifier"].queryset = candidates  # type: ignore[attr-defined]


class RespondForm(forms.Form):
    explanation = forms.CharField(label=_("Your explanation"), widget=_text(4))
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=Outcome.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(label=_("Reasons"), widget=_text(3))
    rectify_days = forms.IntegerField(
        label=_("Rectification time (working days)"),
        required=False,
        min_value=1,
        max_value=250,
        widget=forms.NumberInput(attrs={"class": "form-control", "placeholder": "10"}),
    )


class RectifyForm(forms.Form):
    report = forms.CharField(label=_("What was rectified"), widget=_text(4))
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=_text(2))


class SuperviseForm(forms.Form):
    note = forms.CharField(label=_("What must be done"), required=False, widget=_text(2))
    days = forms.IntegerField(
        label=_("Finish within (working days)"),
        initial=3,
        min_value=1,
        max_value=60,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )


class AccountabilityForm(forms.Form):
    measure = forms.ChoiceField(
        label=_("Measure"),
        choices=Measure.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(label=_("Reasons"), widget=_text(3))


class AppealForm(forms.Form):
    text = forms.CharField(label=_("Grounds of appeal"), widget=_text(3))


class AppealDecisionForm(forms.Form):
    appeal_outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=AppealOutcome.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    final_measure = forms.ChoiceField(
        label=_("New measure (when changed)"),
        choices=[("", "—"), *Measure.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(label=_("Reasons"), widget=_text(2))
