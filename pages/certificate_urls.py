"""URLs of certificates: the public verification page (``pages.verify``) and withdrawing a designation
(``pages.withdraw``, organizers)."""

from django.urls import path

from pages import verify, withdraw

urlpatterns = [
    path("verify/", verify.verify_form, name="verify_form"),
    path("verify/<str:code>/", verify.verify_certificate, name="verify_certificate"),
    # GET says what withdrawing will do and asks the reason; POST from its button withdraws.
    path("organize/applications/<uuid:pk>/withdraw/", withdraw.designation_withdraw, name="designation_withdraw"),
]
