from django.urls import path

from . import jury_views as views

app_name = "jury"

urlpatterns = [
    path("appel/<slug:slug>/", views.panel, name="panel"),
    path("appel/<slug:slug>/jures/ajouter/", views.add_juror, name="add-juror"),
    path("appel/<slug:slug>/attribuer/", views.assign, name="assign"),
    path("appel/<slug:slug>/phase/", views.phase, name="phase"),
    path("appel/<slug:slug>/reglages/", views.jury_settings, name="settings"),
    path("appel/<slug:slug>/conflits/ajouter/", views.add_conflict, name="add-conflict"),
    path("appel/<slug:slug>/deplacer/", views.move, name="move"),
    path("appel/<slug:slug>/classement/", views.ranking, name="ranking"),
    path("appel/<slug:slug>/repartition/", views.distribution, name="distribution"),
    path("appel/<slug:slug>/mes-evaluations/", views.my_evaluations, name="mine"),
    path("appel/<slug:slug>/conflits/declarer/", views.declare_conflict, name="declare-conflict"),
    path("conflits/<int:pk>/lever/", views.lift_conflict, name="lift-conflict"),
    path("evaluations/<int:pk>/rouvrir/", views.reopen, name="reopen"),
    path("evaluations/<int:pk>/versions/", views.versions, name="versions"),
    path("<uuid:public_id>/evaluation/", views.evaluate, name="evaluate"),
    path("rejoindre/<str:token>/", views.join, name="join"),
]
