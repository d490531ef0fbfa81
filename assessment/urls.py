from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from assessment import evidence_views, views
from assessment.forms import SignInForm
from assessment.password_reset import PasswordResetConfirmView, ThrottledPasswordResetView
from assessment.wizard import ApplicationWizard

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("invitation/<uidb64>/<token>/", views.AcceptInvitationView.as_view(), name="accept_invitation"),
    # Applicants
    path("cycles/<int:cycle_id>/apply/", views.start, name="application_start"),
    re_path(
        r"^applications/(?P<pk>[0-9a-f-]{36})/steps/(?P<step>[a-z_]+)/$",
        ApplicationWizard.as_view(url_name="application_step"),
        name="application_step",
    ),
    path("applications/<uuid:pk>/documents/", evidence_views.upload_document, name="document_upload"),
    path("documents/<uuid:pk>/", evidence_views.download_document, name="document_download"),
    path("documents/<uuid:pk>/delete/", evidence_views.delete_document, name="document_delete"),
    # Organizers
    path("organize/jurisdictions/", views.jurisdiction_list, name="jurisdiction_list"),
    path("organize/jurisdictions/new/", views.jurisdiction_create, name="jurisdiction_create"),
    path("organize/jurisdictions/<int:pk>/", views.jurisdiction_detail, name="jurisdiction_detail"),
    path("organize/invite/", views.invite, name="invite"),
]
