from django.urls import URLPattern, URLResolver, path

from sunlight.org.views import duties, edit, pages, spreadsheets

app_name = "org"

urlpatterns: list[URLPattern | URLResolver] = [
    path("units/", pages.unit_list, name="unit-list"),
    path("units/new/", edit.unit_create, name="unit-create"),
    path("units/<int:pk>/", pages.unit_detail, name="unit-detail"),
    path("units/<int:pk>/edit/", edit.unit_edit, name="unit-edit"),
    path("units/<int:unit_pk>/goals/", duties.goal_create, name="goal-create"),
    path("posts/", pages.post_list, name="post-list"),
    path("posts/new/", edit.post_create, name="post-create"),
    path("posts/<int:pk>/", pages.post_detail, name="post-detail"),
    path("posts/<int:pk>/edit/", edit.post_edit, name="post-edit"),
    path("posts/<int:post_pk>/duties/", duties.duty_list, name="duty-list"),
    path("posts/<int:post_pk>/duties/new/", duties.duty_create, name="duty-create"),
    path("duties/<int:pk>/edit/", duties.duty_edit, name="duty-edit"),
    path("duties/<int:pk>/submit/", duties.duty_submit, name="duty-submit"),
    path("duties/<int:pk>/approve/", duties.duty_approve, name="duty-approve"),
    path("duties/<int:pk>/return/", duties.duty_return, name="duty-return"),
    path("reviews/", pages.review_queue, name="review-queue"),
    path("staff/", pages.staff_list, name="staff-list"),
    path("staff/new/", edit.staff_create, name="staff-create"),
    path("staff/<int:pk>/", pages.staff_detail, name="staff-detail"),
    path("staff/<int:pk>/edit/", edit.staff_edit, name="staff-edit"),
    path("assignments/new/", edit.assignment_create, name="assignment-create"),
    path("assignments/<int:pk>/edit/", edit.assignment_edit, name="assignment-edit"),
    path("powers/", pages.power_list, name="power-list"),
    path("powers/new/", edit.power_create, name="power-create"),
    path("powers/<int:pk>/", pages.power_detail, name="power-detail"),
    path("powers/<int:pk>/edit/", edit.power_edit, name="power-edit"),
    *spreadsheets.urlpatterns,
]
