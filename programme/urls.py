from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

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
    path("admin/", admin.site.urls),
]

# Always routed; the views answer 404 while ProConnect is switched off.
urlpatterns.append(path("proconnect/", include("programme.proconnect")))
