"""Pages of the store pilots: the overview, a new pilot, its design page (assignment, balance
and power check, start, cancel), its KPI page with the per-store table and its export, and
the board pack downloads."""

from django.urls import path

from pilots import export_views, views

app_name = "pilots"
urlpatterns = [
    path("", views.pilot_list, name="list"),
    path("new/", views.pilot_new, name="new"),
    path("<int:pk>/", views.pilot_kpis_view, name="kpis"),
    path("<int:pk>/stores.<str:fmt>", views.pilot_stores_export, name="stores_export"),
    path("<int:pk>/design/", views.pilot_design, name="design"),
    path("<int:pk>/design/check/", views.pilot_design_check_view, name="design_check"),
    path("<int:pk>/assign/", views.pilot_assign_view, name="assign"),
    path("<int:pk>/start/", views.pilot_start_view, name="start"),
    path("<int:pk>/cancel/", views.pilot_cancel_view, name="cancel"),
    path("<int:pk>/board-pack.pdf", export_views.board_pack_pdf_view, name="board_pack_pdf"),
    path("<int:pk>/board-pack.xlsx", export_views.board_pack_xlsx_view, name="board_pack_xlsx"),
]
