from django.urls import path

from projects.views import candidate, exports, journal, screening

app_name = "projects"

urlpatterns = [
    path("", candidate.my_proposals, name="mine"),
    path("appel/<slug:slug>/nouvelle/", candidate.start, name="start"),
    path("appel/<slug:slug>/", screening.call_proposals, name="call-proposals"),
    path("appel/<slug:slug>/recevabilite/", screening.screen_selection, name="screen-selection"),
    path(
        "appel/<slug:slug>/recevabilite/signalees/",
        screening.screen_flagged,
        name="screen-flagged",
    ),
    path("appel/<slug:slug>/export/", exports.export, name="export"),
    path("exports/<uuid:job_id>/", exports.export_job, name="export-job"),
    path("exports/<uuid:job_id>/etat/", exports.export_status, name="export-status"),
    path("exports/<uuid:job_id>/fichier/", exports.export_file, name="export-file"),
    path("rejoindre/<str:token>/", candidate.join, name="join"),
    path("<uuid:public_id>/", candidate.detail, name="detail"),
    path("<uuid:public_id>/modifier/", candidate.edit, name="edit"),
    path("<uuid:public_id>/modifier/auto/", candidate.autosave, name="autosave"),
    path("<uuid:public_id>/equipe/", candidate.team, name="team"),
    path("<uuid:public_id>/equipe/quitter/", candidate.team_leave, name="team-leave"),
    path(
        "<uuid:public_id>/equipe/membres/<int:seat_id>/retirer/",
        candidate.team_remove,
        name="team-remove",
    ),
    path(
        "<uuid:public_id>/equipe/membres/<int:seat_id>/porteur/",
        candidate.team_hand_over,
        name="team-hand-over",
    ),
    path(
        "<uuid:public_id>/equipe/invitations/<uuid:invitation_id>/annuler/",
        candidate.invitation_cancel,
        name="invitation-cancel",
    ),
    path(
        "<uuid:public_id>/equipe/invitations/<uuid:invitation_id>/renvoyer/",
        candidate.invitation_resend,
        name="invitation-resend",
    ),
    path("<uuid:public_id>/pieces-jointes/", candidate.attachments, name="attachments"),
    path(
        "<uuid:public_id>/pieces-jointes/<uuid:attachment_id>/",
        candidate.download_attachment,
        name="attachment",
    ),
    path(
        "<uuid:public_id>/pieces-jointes/<uuid:attachment_id>/supprimer/",
        candidate.remove_attachment,
        name="remove-attachment",
    ),
    path("<uuid:public_id>/deposer/", candidate.submit, name="submit"),
    path("<uuid:public_id>/retirer/", candidate.withdraw, name="withdraw"),
    path("<uuid:public_id>/messages/", candidate.message, name="message"),
    path(
        "<uuid:public_id>/messages/<int:message_id>/fichier/",
        candidate.message_file,
        name="message-file",
    ),
    path("<uuid:public_id>/recevabilite/", screening.screen, name="screen"),
    path("<uuid:public_id>/correction/", screening.request_correction, name="request-correction"),
    path("<uuid:public_id>/retenir-defi/", screening.retain_defi, name="retain-defi"),
    path("<uuid:public_id>/correction/renvoyer/", candidate.send_back, name="send-back"),
    path("<uuid:public_id>/versions/<int:number>/", candidate.version_detail, name="version"),
    path(
        "<uuid:public_id>/versions/<int:number>/recepisse.pdf",
        candidate.version_receipt,
        name="receipt",
    ),
    path("<uuid:public_id>/journal/", journal.proposal_journal_page, name="journal"),
]
