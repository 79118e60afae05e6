"""Forms of the register pages. They validate and render input only; the ``actions`` write.

Units and posts offered are those the user may see (``org.forms.ScopedModelForm``); rules are
those of the rule sets in force.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sunlight.core.models import User
from sunlight.monitoring.models import RuleSet
from sunlight.org import queries as org_queries
from sunlight.org.forms import ScopedModelForm
from sunlight.org.models import Post, Unit
from sunlight.risks import queries
from sunlight.risks.models import ControlMeasure, Level, RiskPoint

SCALE_CHOICES = [(1, _("1 — low")), (2, _("2 — medium")), (3, _("3 — high"))]


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none(), required=False)
    post = forms.ModelChoiceField(label=_("post"), queryset=Post.objects.none(), required=False)
    level = forms.ChoiceField(
        label=_("risk level"), choices=[("", _("All")), *Level.choices], required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._scope("unit", org_queries.units_for(user))
        self._scope("post", org_queries.posts_for(user))
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select" if is_select else "form-control")

    def _scope(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset


class RiskPointForm(ScopedModelForm):
    likelihood = forms.TypedChoiceField(label=_("likelihood"), choices=SCALE_CHOICES, coerce=int)
    impact = forms.TypedChoiceField(label=_("impact"), choices=SCALE_CHOICES, coerce=int)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        for name in ("likelihood", "impact"):
            self.fields[name].widget.attrs["class"] = "form-select"
            self.fields[name].help_text = _("The level is graded from likelihood and impact.")

    class Meta:
        model = RiskPoint
        fields = [
            "code",
            "name",
            "item",
            "unit",
            "post",
            "step",
            "manifestation",
            "cause",
            "likelihood",
            "impact",
            "published",
        ]
        widgets = {
            "manifestation": forms.Textarea(attrs={"rows": 3}),
            "cause": forms.Textarea(attrs={"rows": 3}),
        }


class MeasureForm(ScopedModelForm):
    class Meta:
        model = ControlMeasure
        fields = ["text", "kind", "post"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class RuleLinkForm(forms.Form):
    """One choice per rule of every rule set in force: ``<rule set id>:<rule id>``."""

    rule = forms.ChoiceField(label=_("rule"), widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: list[Any] = [("", "—")]
        for rule_set, rules in queries.rules_in_force():
            groups.append(
                (rule_set.name, [(f"{rule_set.pk}:{rid}", f"{rid} {name}") for rid, name in rules])
            )
        self.fields["rule"].choices = groups  # type: ignore[attr-defined]

    def link(self) -> tuple[RuleSet, str]:
        """The chosen rule set and rule id (after ``is_valid``)."""
        set_id, _colon, rule = str(self.cleaned_data["rule"]).partition(":")
        return RuleSet.objects.get(pk=int(set_id)), rule
