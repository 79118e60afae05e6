"""Forms of the monitoring pages: upload, CSV column mapping, and mapping a source value."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from controls.io.columns import FIELDS
from sunlight.monitoring.models import DEFAULT_SOURCE, LogFormat, MappingKind

FIELD_LABELS = {
    "case": _("Case number"),
    "activity": _("Activity"),
    "time": _("Time"),
    "resource": _("Officer"),
    "post": _("Post"),
    "unit": _("Unit"),
    "process": _("Process"),
    "lifecycle": _("Lifecycle"),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Log file"), help_text=_("CSV, XES or JSON lines; may be gzipped.")
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("From the file name")), *LogFormat.choices],
        required=False,
    )
    source_system = forms.CharField(
        label=_("Source system"),
        max_length=64,
        initial=DEFAULT_SOURCE,
        help_text=_("The business system the log comes from; the same event from the same "
                    "system is stored once."),
    )  # fmt: skip


class ColumnsForm(forms.Form):
    """Which column of the CSV holds each field; offered from the file's own header."""

    def __init__(self, *args: Any, header: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("(none)")), *((name, name) for name in header if name)]
        for name in FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=FIELD_LABELS[name],
                choices=choices,
                required=name in ("case", "activity", "time"),
            )

    def columns(self) -> dict[str, str]:
        return {name: column for name, column in self.cleaned_data.items() if column}


class MappingForm(forms.Form):
    kind = forms.ChoiceField(choices=MappingKind.choices, widget=forms.HiddenInput)
    value = forms.CharField(max_length=200, widget=forms.HiddenInput)
    target = forms.CharField(
        label=_("Code"), max_length=32, help_text=_("Staff number, or post, unit or power code")
    )


# --- rules ----------------------------------------------------------------------------------


class RuleTextForm(forms.Form):
    """A rule set's YAML text; validation is the action's (errors come back on ``text``)."""

    text = forms.CharField(
        label=_("Rules (YAML)"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false", "class": "sl-code"}),
    )
    comment = forms.CharField(label=_("What changed"), max_length=500, required=False)


class RuleSetForm(RuleTextForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["name", "description", "text", "comment"]


class RuleFileForm(forms.Form):
    file = forms.FileField(
        label=_("Rule file (YAML)"),
        help_text=_("A new version of the rule set of the same name, or a new rule set."),
    )
    comment = forms.CharField(label=_("What changed"), max_length=500, required=False)


class ReferenceUploadForm(forms.Form):
    name = forms.CharField(
        label=_("Table name"),
        max_length=64,
        help_text=_("As the rules name it, e.g. relations or discretion_bands."),
    )
    file = forms.FileField(label=_("CSV file"))
    comment = forms.CharField(label=_("What changed"), max_length=500, required=False)


class SwitchForm(forms.Form):
    unit = forms.CharField(label=_("Unit code"), max_length=32)
    rule_id = forms.ChoiceField(label=_("Rule"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args: Any, rule_ids: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("The whole rule set")), *((r, r) for r in rule_ids)]
        field = self.fields["rule_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class CheckRunForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (exclusive)"), widget=forms.DateInput(attrs={"type": "date"}))
    close_open = forms.BooleanField(label=_("Judge open cases as ended"), required=False)
