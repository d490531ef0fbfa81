"""Routes of the PDF reports (reports/pdf_views.py) and of the record of submission (reports/record_views.py).

Included at the site root by reports/urls.py.
"""

from django.urls import path

from reports import pdf_views, record_views

urlpatterns = [
    path("applications/<uuid:pk>/report.pdf", pdf_views.application_report_pdf, name="application_report_pdf"),
    path(
        "applications/<uuid:pk>/submission-record.pdf",
        record_views.submission_record_pdf,
        name="application_submission_record",
    ),
    path("organize/cycles/<int:cycle_id>/designees.pdf", pdf_views.cycle_summary_pdf, name="cycle_summary_pdf"),
    path("organize/cycles/<int:cycle_id>/reports/", pdf_views.batches, name="report_batches"),
    path("organize/cycles/<int:cycle_id>/reports/generate/", pdf_views.start_batch, name="report_batch_start"),
    path("organize/report-batches/<int:pk>/", pdf_views.batch_detail, name="report_batch"),
    path("organize/report-batches/<int:pk>/status/", pdf_views.batch_status, name="report_batch_status"),
    path("organize/report-batches/<int:pk>/resume/", pdf_views.resume_batch, name="report_batch_resume"),
    path("organize/report-batch-items/<int:pk>/retry/", pdf_views.retry_item, name="report_batch_retry"),
]
