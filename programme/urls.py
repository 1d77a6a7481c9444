from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from projects.views import jury_staff

from . import views
from .forms import LoginForm

account_patterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("deconnexion/", views.logout, name="logout"),
    path("inscription/", views.signup, name="signup"),
    path("confirmer/<str:token>/", views.verify_email, name="verify-email"),
    path("confirmer-renvoyer/", views.resend_verification, name="resend-verification"),
    path("profil/", views.profile, name="profile"),
    path("mes-donnees/", views.my_data, name="my-data"),
    path("mes-donnees/export.json", views.my_data_export, name="my-data-export"),
    path("mes-donnees/supprimer-mon-compte/", views.delete_account, name="delete-account"),
    path(
        "mot-de-passe/oubli/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("compte/", include(account_patterns)),
    path("espace/", views.dashboard, name="dashboard"),
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/<slug:slug>/", views.programme_detail, name="programme-detail"),
    path("programmes/<slug:slug>/pilotage/", views.programme_manage, name="programme-manage"),
    path("programmes/<slug:slug>/personnes/", views.programme_people, name="programme-people"),
    path("programmes/<slug:slug>/journal/", views.programme_journal, name="programme-journal"),
    path(
        "programmes/<slug:slug>/personnes/ajouter/",
        views.programme_people_add,
        name="programme-people-add",
    ),
    path(
        "programmes/<slug:slug>/personnes/<int:pk>/retirer/",
        views.programme_member_remove,
        name="programme-member-remove",
    ),
    path(
        "programmes/<slug:slug>/jures/inviter/",
        jury_staff.programme_juror_invite,
        name="programme-juror-invite",
    ),
    path(
        "programmes/<slug:slug>/jures/<int:pk>/retirer/",
        jury_staff.programme_juror_remove,
        name="programme-juror-remove",
    ),
    path(
        "programmes/<slug:slug>/invitations/<int:pk>/renvoyer/",
        views.programme_invitation_resend,
        name="programme-invitation-resend",
    ),
    path(
        "programmes/<slug:slug>/invitations/<int:pk>/annuler/",
        views.programme_invitation_cancel,
        name="programme-invitation-cancel",
    ),
    path("invitation/<str:token>/", views.programme_invitation, name="programme-invitation"),
    path("programmes/<slug:slug>/messages/", views.group_message_list, name="programme-messages"),
    path("programmes/<slug:slug>/courriers/", views.letter_list, name="programme-letters"),
    path(
        "programmes/<slug:slug>/courriers/<str:letter>/",
        views.letter_edit,
        name="programme-letter",
    ),
    path(
        "programmes/<slug:slug>/courriers/<str:letter>/retablir/",
        views.letter_reset,
        name="programme-letter-reset",
    ),
    path(
        "programmes/<slug:slug>/messages/nouveau/",
        views.group_message_create,
        name="programme-message-create",
    ),
    path(
        "programmes/<slug:slug>/messages/<int:pk>/",
        views.group_message_detail,
        name="programme-message",
    ),
    path(
        "programmes/<slug:slug>/messages/<int:pk>/modifier/",
        views.group_message_edit,
        name="programme-message-edit",
    ),
    path(
        "programmes/<slug:slug>/messages/<int:pk>/envoyer/",
        views.group_message_send,
        name="programme-message-send",
    ),
    path("appels/", include("calls.urls")),
    path("candidatures/", include("projects.urls")),
    path("jury/", include("projects.jury_urls")),
    path("rappels/", include("cohorts.reminder_urls")),
    path("cohortes/", include("cohorts.public_urls")),
    path("mentions-legales/", views.legal_notice, name="footer-legal-notice"),
    path("accessibilite/", views.accessibility, name="footer-accessibility-status"),
    path("donnees-personnelles/", views.personal_data, name="footer-personal-data"),
    path("plan-du-site/", views.sitemap, name="footer-sitemap"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
]

# Always routed; the views answer 404 while ProConnect is switched off.
urlpatterns.append(path("proconnect/", include("programme.proconnect")))
