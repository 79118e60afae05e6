"""Forms of the organisation pages. They validate and render input only; the ``actions`` write.

Choice fields that point at other records (a unit, a post, a staff member) offer only what the
user may see, through the same ``queries`` the pages use.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sunlight.core.models import User
from sunlight.org import queries
from sunlight.org.models import (
    Assignment,
    Post,
    PowerCategory,
    PowerItem,
    PowerType,
    Staff,
    Unit,
)


class ScopedModelForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form whose foreign-key choices are limited to the user's scope."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        scoped = {
            "unit": queries.units_for(user),
            "parent": queries.units_for(user),
            "post": queries.posts_for(user),
            "staff": queries.staff_for(user),
        }
        for name, field in self.fields.items():
            if name in scoped and isinstance(field, forms.ModelChoiceField):
                field.queryset = scoped[name]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class UnitForm(ScopedModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "parent", "sort_order", "is_active"]


class PostForm(ScopedModelForm):
    class Meta:
        model = Post
        fields = [
            "code",
            "name",
            "unit",
            "power_type",
            "is_high_risk",
            "term_limit_years",
            "description",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class StaffForm(ScopedModelForm):
    class Meta:
        model = Staff
        fields = ["staff_no", "name", "gender", "unit", "rank", "phone", "email", "is_active"]


class AssignmentForm(ScopedModelForm):
    class Meta:
        model = Assignment
        fields = ["staff", "post", "kind", "start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class PowerItemForm(ScopedModelForm):
    legal_bases = forms.CharField(
        label=_("legal basis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One law per line, the article after a vertical bar: Law on Tax Collection | Article 33"
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["legal_bases"] = "\n".join(
                f"{b.law} | {b.article}" if b.article else b.law
                for b in self.instance.legal_bases.all()
            )

    def clean_legal_bases(self) -> list[tuple[str, str]]:
        bases = []
        for line in str(self.cleaned_data["legal_bases"]).splitlines():
            law, _bar, article = line.partition("|")
            if law.strip():
                bases.append((law.strip(), article.strip()))
        return bases

    class Meta:
        model = PowerItem
        fields = [
            "code",
            "name",
            "category",
            "power_type",
            "unit",
            "post",
            "time_limit_days",
            "description",
            "is_public",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class DutyForm(forms.Form):
    text = forms.CharField(
        label=_("duty"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        max_length=2000,
    )
    power_type = forms.ChoiceField(
        label=_("power type"),
        choices=[("", "—"), *PowerType.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("reason for returning"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
        max_length=1000,
    )


class GoalForm(forms.Form):
    year = forms.IntegerField(
        label=_("year"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput({"class": "form-control"}),
    )
    title = forms.CharField(
        label=_("title"), max_length=200, widget=forms.TextInput({"class": "form-control"})
    )
    target = forms.CharField(
        label=_("target"), required=False, widget=forms.TextInput({"class": "form-control"})
    )


class PostFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none(), required=False)
    power_type = forms.ChoiceField(
        label=_("power type"), choices=[("", _("All")), *PowerType.choices], required=False
    )
    high_risk = forms.BooleanField(label=_("high-risk only"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = queries.units_for(user)


class PowerFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    category = forms.ChoiceField(
        label=_("category"), choices=[("", _("All")), *PowerCategory.choices], required=False
    )
