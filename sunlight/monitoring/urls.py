from django.urls import URLPattern, path

from sunlight.monitoring.views import imports as views
from sunlight.monitoring.views import rules as views_rules

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
    path("rules/", views_rules.rule_set_list, name="rule-sets"),
    path("rules/new/", views_rules.rule_set_new, name="rule-set-new"),
    path("rules/import/", views_rules.rule_set_import, name="rule-set-import"),
    path("rules/check/", views_rules.rule_text_check, name="rule-text-check"),
    path("rules/<int:pk>/", views_rules.rule_set_detail, name="rule-set"),
    path("rules/<int:pk>/edit/", views_rules.rule_set_edit, name="rule-set-edit"),
    path("rules/<int:pk>/active/", views_rules.rule_set_active, name="rule-set-active"),
    path("rules/<int:pk>/v<int:number>/", views_rules.rule_set_version, name="rule-set-version"),
    path("rules/<int:pk>/v<int:number>/yaml/", views_rules.rule_set_export, name="rule-set-export"),
    path("rules/<int:pk>/switches/", views_rules.rule_switch_off, name="rule-switch-off"),
    path("rules/switches/<int:pk>/on/", views_rules.rule_switch_on, name="rule-switch-on"),
    path("reference/", views_rules.reference_list, name="reference-tables"),
    path("reference/<int:pk>/", views_rules.reference_detail, name="reference-table"),
    path("checks/", views_rules.check_run_list, name="check-runs"),
    path("decisions/", views_rules.decision_list, name="decisions"),
]
