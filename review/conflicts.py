"""Conflicts of interest that understand jurisdictions.

A reviewer is conflicted on their own jurisdiction; a county reviewer on the
cities and towns inside the county; a city reviewer on the county it lies in;
and on every jurisdiction they declared (with the same county rule).
"""

from assessment.models import Jurisdiction
from review.models import DeclaredConflict


def related_jurisdictions(jurisdiction, places_by_county):
    """The jurisdiction, its county, and if it is a county, the places inside it."""
    ids = {jurisdiction.pk}
    if jurisdiction.county_id:
        ids.add(jurisdiction.county_id)
    ids |= places_by_county.get(jurisdiction.pk, set())
    return ids


def conflicts_by_reviewer(reviewers):
    """{reviewer id: {jurisdiction ids}} for these reviewers, in two queries."""
    places_by_county = {}
    for place_id, county_id in Jurisdiction.objects.exclude(county=None).values_list("pk", "county_id"):
        places_by_county.setdefault(county_id, set()).add(place_id)
    declared = {}
    for declaration in DeclaredConflict.objects.filter(reviewer__in=reviewers).select_related("jurisdiction"):
        declared.setdefault(declaration.reviewer_id, []).append(declaration.jurisdiction)
    result = {}
    for reviewer in reviewers:
        ids = set()
        own = [reviewer.jurisdiction] if reviewer.jurisdiction_id else []
        for jurisdiction in own + declared.get(reviewer.pk, []):
            ids |= related_jurisdictions(jurisdiction, places_by_county)
        result[reviewer.pk] = ids
    return result
