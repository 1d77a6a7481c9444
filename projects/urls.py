from django.urls import path

from projects.views import candidate as views

app_name = "projects"

urlpatterns = [
    path("", views.my_proposals, name="mine"),
    path("appel/<slug:slug>/nouvelle/", views.start, name="start"),
    path("appel/<slug:slug>/", views.call_proposals, name="call-proposals"),
    path("appel/<slug:slug>/recevabilite/", views.screen_selection, name="screen-selection"),
    path("appel/<slug:slug>/export/", views.export, name="export"),
    path("exports/<uuid:job_id>/", views.export_job, name="export-job"),
    path("exports/<uuid:job_id>/etat/", views.export_status, name="export-status"),
    path("exports/<uuid:job_id>/fichier/", views.export_file, name="export-file"),
    path("rejoindre/<str:token>/", views.join, name="join"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/modifier/", views.edit, name="edit"),
    path("<uuid:public_id>/equipe/", views.team, name="team"),
    path("<uuid:public_id>/pieces-jointes/", views.attachments, name="attachments"),
    path(
        "<uuid:public_id>/pieces-jointes/<uuid:attachment_id>/",
        views.download_attachment,
        name="attachment",
    ),
    path(
        "<uuid:public_id>/pieces-jointes/<uuid:attachment_id>/supprimer/",
        views.remove_attachment,
        name="remove-attachment",
    ),
    path("<uuid:public_id>/deposer/", views.submit, name="submit"),
    path("<uuid:public_id>/retirer/", views.withdraw, name="withdraw"),
    path("<uuid:public_id>/messages/", views.message, name="message"),
    path("<uuid:public_id>/recevabilite/", views.screen, name="screen"),
    path("<uuid:public_id>/correction/", views.request_correction, name="request-correction"),
    path("<uuid:public_id>/retenir-defi/", views.retain_defi, name="retain-defi"),
    path("<uuid:public_id>/correction/renvoyer/", views.send_back, name="send-back"),
    path("<uuid:public_id>/versions/<int:number>/", views.version_detail, name="version"),
]
