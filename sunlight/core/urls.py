from django.urls import URLPattern, path

from sunlight.core import calendar_views, views

urlpatterns: list[URLPattern] = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    *calendar_views.urlpatterns,
]
