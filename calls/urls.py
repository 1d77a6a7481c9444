from django.urls import path

from . import views

app_name = "calls"

urlpatterns = [
    path("", views.call_list, name="list"),
    path("creer/<slug:slug>/", views.call_create, name="create"),
    path("<slug:slug>/", views.call_detail, name="detail"),
    path("<slug:slug>/pilotage/", views.call_manage, name="manage"),
    path("<slug:slug>/pilotage/modifier/", views.call_edit, name="edit"),
    path("<slug:slug>/pilotage/etat/", views.call_transition, name="transition"),
    path("<slug:slug>/pilotage/journal/", views.call_journal_page, name="journal"),
    path("<slug:slug>/pilotage/clore-maintenant/", views.call_close_now, name="close-now"),
]

for kind, segment in (
    ("criterion", "criteres"),
    ("question", "questions"),
    ("defi", "defis"),
    ("eligibility", "conditions"),
):
    urlpatterns += [
        path(
            f"<slug:slug>/pilotage/{segment}/ajouter/",
            views.item_edit,
            {"kind": kind},
            name=f"{kind}-add",
        ),
        path(
            f"<slug:slug>/pilotage/{segment}/<int:pk>/modifier/",
            views.item_edit,
            {"kind": kind},
            name=f"{kind}-edit",
        ),
        path(
            f"<slug:slug>/pilotage/{segment}/<int:pk>/supprimer/",
            views.item_delete,
            {"kind": kind},
            name=f"{kind}-delete",
        ),
        path(
            f"<slug:slug>/pilotage/{segment}/<int:pk>/deplacer/",
            views.item_move,
            {"kind": kind},
            name=f"{kind}-move",
        ),
    ]
