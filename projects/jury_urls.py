from django.urls import path

from projects.views import (
    auditions,
    deliberation,
    discussion,
    expertise,
    juror,
    jury_staff,
    outbox,
    results,
)

app_name = "jury"

urlpatterns = [
    # Staff: the panel, the ranking and beside it (projects.views.jury_staff).
    path("appel/<slug:slug>/", jury_staff.panel, name="panel"),
    path("appel/<slug:slug>/jures/ajouter/", jury_staff.add_juror, name="add-juror"),
    path("appel/<slug:slug>/attribuer/", jury_staff.assign, name="assign"),
    path("appel/<slug:slug>/phase/", jury_staff.phase, name="phase"),
    path("appel/<slug:slug>/reglages/", jury_staff.jury_settings, name="settings"),
    path("appel/<slug:slug>/conflits/ajouter/", jury_staff.add_conflict, name="add-conflict"),
    path("appel/<slug:slug>/deplacer/", jury_staff.move, name="move"),
    path("appel/<slug:slug>/classement/", jury_staff.ranking, name="ranking"),
    path("appel/<slug:slug>/repartition/", jury_staff.distribution, name="distribution"),
    path("appel/<slug:slug>/relancer/", jury_staff.nudge, name="nudge"),
    path("conflits/<int:pk>/lever/", jury_staff.lift_conflict, name="lift-conflict"),
    path("evaluations/<int:pk>/rouvrir/", jury_staff.reopen, name="reopen"),
    path("evaluations/<int:pk>/versions/", jury_staff.versions, name="versions"),
    path("<uuid:public_id>/jury/", jury_staff.proposal_jury, name="proposal"),
    # Expertise: themes, bids and the assignment matrix (projects.views.expertise).
    path("appel/<slug:slug>/themes/", expertise.call_themes, name="themes"),
    path("appel/<slug:slug>/matrice/", expertise.matrix, name="matrix"),
    path("appel/<slug:slug>/souhaits/", expertise.bids, name="bids"),
    path("appel/<slug:slug>/mes-themes/", expertise.my_themes, name="my-themes"),
    path("<uuid:public_id>/jury/themes/", expertise.proposal_themes, name="proposal-themes"),
    # Jurors: joining, the queue, scoring (projects.views.juror).
    path("appel/<slug:slug>/mes-evaluations/", juror.my_evaluations, name="mine"),
    path("appel/<slug:slug>/conflits/declarer/", juror.declare_conflict, name="declare-conflict"),
    path("<uuid:public_id>/evaluation/", juror.evaluate, name="evaluate"),
    path("appel/<slug:slug>/dossier.pdf", juror.dossier_pdf, name="dossier-pdf"),
    path("<uuid:public_id>/discussion/", discussion.discussion_page, name="discussion"),
    path("<uuid:public_id>/evaluation/auto/", juror.evaluate_autosave, name="evaluate-autosave"),
    path("rejoindre/<str:token>/", juror.join, name="join"),
    # Auditions, staff and jurors (projects.views.auditions).
    path("appel/<slug:slug>/auditions/", auditions.audition_list, name="auditions"),
    path("appel/<slug:slug>/auditions/premieres/", auditions.shortlist_top, name="shortlist-top"),
    path(
        "appel/<slug:slug>/auditions/criteres/",
        auditions.add_audition_criterion,
        name="audition-criterion-add",
    ),
    path(
        "auditions/criteres/<int:pk>/",
        auditions.edit_audition_criterion,
        name="audition-criterion-edit",
    ),
    path(
        "auditions/criteres/<int:pk>/supprimer/",
        auditions.delete_audition_criterion,
        name="audition-criterion-delete",
    ),
    path("appel/<slug:slug>/auditions/planning/", auditions.audition_day, name="audition-day"),
    path("<uuid:public_id>/audition/retenir/", auditions.shortlist, name="shortlist"),
    path("<uuid:public_id>/audition/retirer/", auditions.unshortlist, name="unshortlist"),
    path("<uuid:public_id>/audition/creneau/", auditions.audition_slot, name="audition-slot"),
    path("appel/<slug:slug>/mes-auditions/", auditions.my_auditions, name="my-auditions"),
    path("<uuid:public_id>/audition/notes/", auditions.audition_score, name="audition-score"),
    # The deliberation (projects.views.deliberation).
    path("appel/<slug:slug>/deliberation/", deliberation.deliberation_page, name="deliberation"),
    path("appel/<slug:slug>/deliberation/poids/", deliberation.weights, name="weights"),
    path("<uuid:public_id>/decision/", deliberation.decide, name="decide"),
    path("appel/<slug:slug>/resultats/publier/", deliberation.publish, name="publish-results"),
    # The decision mails (projects.views.outbox).
    path("appel/<slug:slug>/courriers/", outbox.outbox, name="outbox"),
    path("appel/<slug:slug>/courriers/preparer/", outbox.outbox_prepare, name="outbox-prepare"),
    path("appel/<slug:slug>/courriers/envoyer/", outbox.outbox_send, name="outbox-send"),
    path("courriers/<int:pk>/", outbox.outbox_edit, name="outbox-edit"),
    # The public results (projects.views.results).
    path("resultats/<slug:slug>/", results.results, name="results"),
]
