"""Form helpers every app's views share, and the forms of core's own pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def attach_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show an action's refusal next to the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class CalendarDayForm(forms.Form):
    """One day of the bureau's calendar: a rest day (holiday) or a working day (make-up day)."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("The day is"),
        choices=[("0", _("a rest day (holiday)")), ("1", _("a working day (make-up day)"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=40,
        required=False,
        help_text=_("For example 元旦, 春节 or 调休上班."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CalendarImportForm(forms.Form):
    file = forms.FileField(label=_("File (.csv or .xlsx)"))
