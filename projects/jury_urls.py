from django.urls import path

from projects.views import deliberation as decision_views
from projects.views import jury as views

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
    # Auditions and deliberation (projects.views.deliberation).
    path("appel/<slug:slug>/auditions/", decision_views.audition_list, name="auditions"),
    path(
        "appel/<slug:slug>/auditions/premieres/",
        decision_views.shortlist_top,
        name="shortlist-top",
    ),
    path(
        "appel/<slug:slug>/auditions/criteres/",
        decision_views.add_audition_criterion,
        name="audition-criterion-add",
    ),
    path("<uuid:public_id>/audition/retenir/", decision_views.shortlist, name="shortlist"),
    path("<uuid:public_id>/audition/retirer/", decision_views.unshortlist, name="unshortlist"),
    path("<uuid:public_id>/audition/creneau/", decision_views.audition_slot, name="audition-slot"),
    path("appel/<slug:slug>/mes-auditions/", decision_views.my_auditions, name="my-auditions"),
    path("<uuid:public_id>/audition/notes/", decision_views.audition_score, name="audition-score"),
    path("appel/<slug:slug>/deliberation/", decision_views.deliberation_page, name="deliberation"),
    path("appel/<slug:slug>/deliberation/poids/", decision_views.weights, name="weights"),
    path("<uuid:public_id>/decision/", decision_views.decide, name="decide"),
    path("appel/<slug:slug>/resultats/publier/", decision_views.publish, name="publish-results"),
    path("appel/<slug:slug>/courriers/", decision_views.outbox, name="outbox"),
    path(
        "appel/<slug:slug>/courriers/preparer/",
        decision_views.outbox_prepare,
        name="outbox-prepare",
    ),
    path("appel/<slug:slug>/courriers/envoyer/", decision_views.outbox_send, name="outbox-send"),
    path("courriers/<int:pk>/", decision_views.outbox_edit, name="outbox-edit"),
    path("resultats/<slug:slug>/", decision_views.results, name="results"),
]
