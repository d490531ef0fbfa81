"""Rows of the URL × role matrix (tests/test_access_matrix.py) for the organizer's rubric pages.

Organizers only, as every organizer page: anyone else signed in gets 403, whoever is not signed in the sign-in
page. The world's cycle has a draft only (its rubric is not frozen) and no cycle before it, so "copy the
previous rubric" sends organizers back to the rubric's page (302) saying there is none; an empty form posted
is refused on its page (200); a delete or a copy posted without its confirm button sends to its confirmation.
"""

from scoring.models import Category, Criterion

LOGIN = "login"  # a 302 to the login page, as in MATRIX
PAGE = {"anonymous": LOGIN, "organizer": 200, "*": 403}
REDIRECT = {"anonymous": LOGIN, "organizer": 302, "*": 403}

# name: (method, {role: expected status}); see MATRIX in tests/access_matrix.py.
ROWS = {
    "rubric_edit": ("get", PAGE),
    "rubric_settings": ("get", PAGE),
    "rubric_settings__post": ("post", PAGE),
    "rubric_copy": ("get", REDIRECT),
    "rubric_copy__post": ("post", REDIRECT),
    "rubric_rescore": ("post", REDIRECT),
    "rubric_category_add": ("get", PAGE),
    "rubric_category_add__post": ("post", PAGE),
    "rubric_category_edit": ("get", PAGE),
    "rubric_category_edit__post": ("post", PAGE),
    "rubric_category_delete": ("get", PAGE),
    "rubric_category_delete__post": ("post", REDIRECT),
    "rubric_criterion_add": ("get", PAGE),
    "rubric_criterion_add__post": ("post", PAGE),
    "rubric_criterion_edit": ("get", PAGE),
    "rubric_criterion_edit__post": ("post", PAGE),
    "rubric_criterion_delete": ("get", PAGE),
    "rubric_criterion_delete__post": ("post", REDIRECT),
}


def url_kwargs(name, world):
    if name.startswith("rubric_category_") and name != "rubric_category_add":
        return {"pk": Category.objects.filter(rubric__cycle=world["cycle"]).order_by("code").first().pk}
    if name.startswith("rubric_criterion_") and name != "rubric_criterion_add":
        return {"pk": Criterion.objects.filter(rubric__cycle=world["cycle"]).order_by("code").first().pk}
    return {"pk": world["cycle"].pk}


def body(name, world):
    return {}


def rubric_leak_routes(cycles):
    """ROUTES of tests/leak_world.py for the rubric pages: each opened for every cycle (``cycles``: their labels),
    a category's and a criterion's for the first of each cycle's rubric."""

    def of_cycle(w):
        return [(c, {"pk": w.cycles[c].pk}) for c in cycles]

    def part(model):
        def build(w):
            return [(c, {"pk": model.objects.filter(rubric__cycle=w.cycles[c]).order_by("code")[0].pk}) for c in cycles]

        return build

    routes = {}
    for name in ROWS:
        name = name.split("__")[0]
        if name.startswith("rubric_category_") and name != "rubric_category_add":
            routes[name] = part(Category)
        elif name.startswith("rubric_criterion_") and name != "rubric_criterion_add":
            routes[name] = part(Criterion)
        else:
            routes[name] = of_cycle
    return routes
