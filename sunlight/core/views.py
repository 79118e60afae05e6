"""Login, logout and the home dashboard."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sunlight.audit.actions import audit_record
from sunlight.core.htmx import current_user
from sunlight.core.models import User
from sunlight.org import queries
from sunlight.org.views.duties import awaiting_my_decision


class LoginView(auth_views.LoginView):
    """Django's login, with every success and failure written to the audit trail."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        audit_record(by=user, action="auth.login", actor_name=user.get_username())
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username = str(form.data.get("username", ""))[:150]
        audit_record(by=None, action="auth.login_failed", actor_name=username)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    """Logout (POST only, as in Django), recorded before the session ends."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and user.is_authenticated:
            audit_record(by=user, action="auth.logout", actor_name=user.get_username())
        return super().post(request, *args, **kwargs)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    counts = {
        "units": queries.units_for(user).count(),
        "posts": queries.posts_for(user).count(),
        "staff": queries.staff_for(user).count(),
        "power_items": queries.power_items_for(user).count(),
    }
    awaiting = awaiting_my_decision(user)
    return render(
        request,
        "home.html",
        {"counts": counts, "awaiting": awaiting[:10], "awaiting_count": len(awaiting)},
    )
