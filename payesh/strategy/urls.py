from django.urls import path

from payesh.strategy import views

app_name = "strategy"
urlpatterns = [
    path("", views.index, name="index"),
    path("versions/<int:version_id>/", views.version_detail, name="version"),
    path("versions/<int:version_id>/goals/new/", views.goal_edit, name="goal_new"),
    path("versions/<int:version_id>/goals/<int:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path("versions/<int:version_id>/kpis/new/", views.kpi_edit, name="kpi_new"),
    path("versions/<int:version_id>/kpis/<int:kpi_id>/edit/", views.kpi_edit, name="kpi_edit"),
    path("versions/<int:version_id>/actions/new/", views.action_edit, name="action_new"),
    path("versions/<int:version_id>/actions/<int:action_id>/edit/", views.action_edit, name="action_edit"),
    path("versions/<int:version_id>/rounds/new/", views.round_new, name="round_new"),
    path("versions/<int:version_id>/<slug:verb>/", views.version_action, name="version_action"),
    path("diff/<int:old_id>/<int:new_id>/", views.diff, name="diff"),
    path("goals/<int:goal_id>/", views.goal_detail, name="goal"),
    path("kpis/<int:kpi_id>/", views.kpi_detail, name="kpi"),
    path("actions/<int:action_id>/", views.action_detail, name="action"),
    path("reports/<slug:kind>/<int:report_id>/<slug:verb>/", views.report_decide, name="report_decide"),
    path("rounds/<int:round_id>/", views.round_detail, name="round"),
    path("rounds/<int:round_id>/close/", views.round_close, name="round_close"),
    path("viewpoints/<int:viewpoint_id>/dispose/", views.viewpoint_dispose, name="viewpoint_dispose"),
    path("agencies/<str:code>/", views.agency_detail, name="agency"),
    path("obligations/", views.obligations, name="obligations"),
    path("obligations/remind/", views.reminders, name="reminders"),
    path("notifications/", views.notifications, name="notifications"),
    path("evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
]
