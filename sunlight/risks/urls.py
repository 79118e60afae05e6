from django.urls import URLPattern, URLResolver, path

from sunlight.risks import views

app_name = "risks"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.register, name="register"),
    path("points/new/", views.point_create, name="point-create"),
    path("points/<int:pk>/", views.point_detail, name="point-detail"),
    path("points/<int:pk>/edit/", views.point_edit, name="point-edit"),
    path("points/<int:pk>/measures/new/", views.measure_add, name="measure-add"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("measures/<int:pk>/rule/", views.measure_rule, name="measure-rule"),
    path("measures/<int:pk>/rule/unlink/", views.measure_unlink, name="measure-unlink"),
    path("measures/<int:pk>/remove/", views.measure_remove, name="measure-remove"),
]
