from django.urls import URLPattern, path

from sunlight.warnings import views

app_name = "warnings"

urlpatterns: list[URLPattern] = [
    path("", views.warning_list, name="list"),
    path("board/", views.board, name="board"),
    path("statistics/", views.statistics, name="statistics"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/unread/", views.unread, name="unread"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("people/<int:pk>/", views.person, name="person"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("accountability/<int:pk>/appeal/", views.appeal, name="appeal"),
    path(
        "accountability/<int:pk>/appeal-decision/",
        views.appeal_decision,
        name="appeal-decision",
    ),
    path("<int:pk>/", views.warning_detail, name="detail"),
    path("<int:pk>/<slug:step>/", views.warning_step, name="step"),
]
