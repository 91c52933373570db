"""Pilot URLs: the board pack downloads (the pilot pages add theirs)."""

from django.urls import path

from pilots import export_views

app_name = "pilots"

urlpatterns = [
    path("<int:pk>/board-pack.pdf", export_views.board_pack_pdf_view, name="board_pack_pdf"),
    path("<int:pk>/board-pack.xlsx", export_views.board_pack_xlsx_view, name="board_pack_xlsx"),
]
