from django.urls import URLPattern

app_name = "org"
urlpatterns: list[URLPattern] = []
