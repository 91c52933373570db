"""Pages of the S&OP cycle: the cycles, a cycle's overview and actions, the plan grid of a
version with its inline edits and exports, the approval queue and the meeting view."""

from django.urls import path

from planning import views

app_name = "planning"
urlpatterns = [
    path("", views.cycle_list, name="cycles"),
    path("approvals/", views.approvals, name="approvals"),
    path("<int:pk>/", views.cycle_detail, name="cycle"),
    path("<int:pk>/meeting/", views.meeting, name="meeting"),
    path("<int:pk>/scenarios/", views.scenarios, name="scenarios"),
    path("scenarios/<int:pk>/choose/", views.scenario_choose_view, name="scenario_choose"),
    path("<int:pk>/statistical/", views.statistical_build, name="statistical_build"),
    path("<int:pk>/open-review/", views.open_demand_review, name="open_demand_review"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/close-review/", views.close_demand_review, name="close_demand_review"),
    path("<int:pk>/consensus/", views.consensus, name="consensus"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("submissions/<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/v<int:number>/", views.grid, name="grid"),
    path("<int:pk>/v<int:number>/cell/", views.cell_edit, name="cell_edit"),
    path("<int:pk>/v<int:number>/export.<str:fmt>", views.version_export, name="export"),
]
