from django.urls import URLPattern, path

from sunlight.monitoring import views

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    path("imports/", views.import_list, name="import-list"),
    path("imports/new/", views.import_new, name="import-new"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("imports/<int:pk>/columns/", views.import_columns, name="import-columns"),
    path("mappings/", views.mapping_set, name="mapping-set"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
]
