"""The home page: each role's own start page."""

from django.shortcuts import render

from assessment.access import applications_for
from assessment.models import Cycle
from review.appeals import pending_appeals
from review.views import reviewer_home
from scoring.domain import estimate_for


def home(request):
    user = request.user
    if user.is_organizer:
        cycles = Cycle.objects.all()
        applications = applications_for(user).filter(cycle__status=Cycle.Status.OPEN)
        return render(
            request,
            "assessment/home_organizer.html",
            {"cycles": cycles, "applications": applications, "appeals": pending_appeals()},
        )
    if user.is_applicant and user.jurisdiction_id:
        applications = {a.cycle_id: a for a in applications_for(user)}
        open_cycles = [c for c in Cycle.objects.filter(status=Cycle.Status.OPEN) if c.id not in applications]
        current = [a for a in applications.values() if a.cycle.status == Cycle.Status.OPEN]
        return render(
            request,
            "assessment/home_applicant.html",
            {
                "jurisdiction": user.jurisdiction,
                "applications": sorted(applications.values(), key=lambda a: a.cycle.opens_at, reverse=True),
                "open_cycles": open_cycles,
                "standings": [(a, estimate_for(a)) for a in current if a.is_draft],
                "has_previous": bool(applications),
            },
        )
    if user.is_reviewer:
        return reviewer_home(request)
    return render(request, "403.html", {"message": "Your account has no role yet; ask an organizer."}, status=403)
