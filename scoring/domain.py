"""What scoring does: install and freeze rubrics, score applications, one or a whole cycle."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assessment.audit import audit, named, said
from assessment.models import Application, EvidenceDocument
from scoring import default_rubric, engine
from scoring import levels as level_words
from scoring.models import Category, Criterion, Level, Rubric, ScoreResult

BATCH = 1000


def _both(part, field):
    """A rubric part's words in English and French (``name_en``, ``name_fr``), whichever language is active."""
    return getattr(part, f"{field}_en"), getattr(part, f"{field}_fr")


def _default_parts():
    """The product's default rubric as (levels, categories, criteria) rows, its words in English and French."""
    data = Rubric.default()
    french = {p["code"]: p["title_fr"] for p in default_rubric.PREREQUISITES}
    for category in default_rubric.CATEGORIES:
        french |= {category["code"]: category["name_fr"]} | {k["code"]: k["title_fr"] for k in category["criteria"]}
    levels = [(name, default_rubric.LEVELS_FR.get(name), minimum) for name, minimum in data.levels]
    categories = [(c.code, (c.name, french.get(c.code)), c.points) for c in data.categories]
    criteria = [
        (c.category, c.code, (c.title, french.get(c.code)), c.kind, c.points, c.params, c.evidence)
        for c in [*data.criteria, *data.prerequisites]
    ]
    return levels, categories, criteria


def _copy_parts(rubric, source):
    """Copy categories, criteria and levels into a new rubric (bulk: no per-row queries), words in both languages.

    The version is not raised here: the rubric is new, or ``copy_previous_rubric`` saves it afterwards."""
    if source is None:
        levels, categories, criteria = _default_parts()
    else:
        levels = [(*_both(lv, "name"), lv.minimum) for lv in source.levels.all()]
        categories = [(c.code, _both(c, "name"), c.points) for c in source.categories.all()]
        criteria = [
            (c.category.code if c.category else "", c.code, _both(c, "title"), c.kind, c.points, c.params, c.evidence)
            for c in source.criteria.select_related("category")
        ]
    # Each language's column set explicitly: ``name=`` alone would fill only the active language's.
    Level.objects.bulk_create(
        (
            Level(rubric=rubric, name=english, name_en=english, name_fr=french, minimum=minimum)
            for english, french, minimum in levels
        ),
        bump=False,
    )
    level_words.forget()  # bulk_create sends no post_save
    made = Category.objects.bulk_create(
        (
            Category(rubric=rubric, code=code, name=english, name_en=english, name_fr=french, points=points)
            for code, (english, french), points in categories
        ),
        bump=False,
    )
    by_code = {c.code: c for c in made}
    Criterion.objects.bulk_create(
        (
            Criterion(
                rubric=rubric,
                category=by_code.get(category),
                code=code,
                title=english,
                title_en=english,
                title_fr=french,
                kind=kind,
                points=points,
                params=params,
                evidence=evidence,
            )
            for category, code, (english, french), kind, points, params, evidence in criteria
        ),
        bump=False,
    )


@transaction.atomic
def install_rubric(cycle, source=None):
    """Give a new cycle its rubric: a copy of ``source`` (a Rubric) or of the product's default."""
    if source is None:
        rubric = Rubric.objects.create(
            cycle=cycle, threshold=default_rubric.THRESHOLD, min_category_share=default_rubric.MIN_CATEGORY_SHARE
        )
    else:
        rubric = Rubric.objects.create(
            cycle=cycle, threshold=source.threshold, min_category_share=source.min_category_share
        )
    _copy_parts(rubric, source)
    return rubric


def rubric_for(cycle):
    """The cycle's rubric; a cycle made before scoring existed gets the default now."""
    rubric = Rubric.objects.filter(cycle_id=cycle.pk).first()
    return rubric or install_rubric(cycle)


def previous_rubric(cycle):
    return (
        Rubric.objects.exclude(cycle=cycle)
        .filter(cycle__opens_at__lt=cycle.opens_at)
        .select_related("cycle")
        .order_by("-cycle__opens_at")
        .first()
    )


@transaction.atomic
def copy_previous_rubric(rubric, user=None):
    """Replace a rubric's contents with the previous cycle's. Refused once frozen."""
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    rubric.refuse_if_frozen()
    source = previous_rubric(rubric.cycle)
    if source is None:
        raise ValidationError(_("There is no cycle before %(cycle)s to copy a rubric from.") % {"cycle": rubric.cycle})
    # The parts are replaced without raising the version each time: saving the rubric last raises it once.
    rubric.criteria.all().delete(bump=False)
    rubric.categories.all().delete(bump=False)
    rubric.levels.all().delete(bump=False)
    _copy_parts(rubric, source)
    rubric.threshold, rubric.min_category_share = source.threshold, source.min_category_share
    rubric.save()
    words = said(
        gettext_noop("Rubric of %(cycle)s copied from %(source)s"),
        cycle=named(rubric.cycle),
        source=named(source.cycle),
    )
    audit(user, "rubric.copied", cycle=rubric.cycle, words=words)
    return source


def freeze_rubric(cycle, now=None):
    """Called with the first submission of the cycle; later calls change nothing."""
    return Rubric.objects.filter(cycle=cycle, frozen_at=None).update(frozen_at=now or timezone.now())


def facts_for(application, document_kinds, judged=None, adjusted=None):
    return engine.Facts(
        answers=application.answers or {},
        documents=frozenset(document_kinds),
        as_of_year=application.cycle.opens_at.year,
        judged=judged or {},
        adjusted=adjusted or {},
    )


STORED = ("application", "rubric_version", "total", "eligible", "level", "result", "computed_at")


def _upsert_sql(connection):
    """INSERT … ON CONFLICT (application) DO UPDATE: SQLite and PostgreSQL both speak it."""
    meta, quote = ScoreResult._meta, connection.ops.quote_name
    columns = [quote(meta.get_field(name).column) for name in STORED]
    return (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({columns[0]}) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in columns[1:])}"
    )


def _upsert(scored, version, now):
    """Store the results ``scored`` ((application pk, result), …) of one rubric version, computed ``now``.

    What ``ScoreResult.objects.bulk_create(update_conflicts=True)`` stores, each value prepared by its
    field, in one statement run for all rows: no model object and no compiled SQL per row (a third of
    rescoring a cycle went there)."""
    connection = connections[router.db_for_write(ScoreResult)]
    application, total, result, computed_at = (
        ScoreResult._meta.get_field(name).get_db_prep_save for name in ("application", "total", "result", "computed_at")
    )
    when = computed_at(now, connection)
    rows = [
        (
            application(pk, connection),
            version,
            total(r["total"], connection),
            r["eligible"],
            r["level"] or "",
            result(r, connection),
            when,
        )
        for pk, r in scored
    ]
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(connection), rows)


def rescore_application(application):
    """Score one application from its stored answers and documents, and store the numbers (a level by its English name)."""
    rubric = rubric_for(application.cycle).to_engine()
    kinds = application.documents.values_list("kind", flat=True)
    result = engine.totals(rubric, facts_for(application, kinds))
    _upsert([(application.pk, result)], rubric.version, timezone.now())
    return result


def explain_application(application, judged=None, adjusted=None):
    """The engine's full result for one application, every criterion with its reason.

    ``judged`` and ``adjusted``: the panel's combined points for judged criteria and adjusted rule criteria.
    """
    rubric = rubric_for(application.cycle).to_engine()
    kinds = application.documents.values_list("kind", flat=True)
    return engine.score(rubric, facts_for(application, kinds, judged, adjusted))


def rescore_cycle(cycle):
    """Score every application of a cycle: a constant number of queries per thousand applications (a level
    stored by its English name)."""
    rubric = rubric_for(cycle).to_engine()
    kinds = defaultdict(set)
    for application_id, kind in EvidenceDocument.objects.filter(application__cycle=cycle).values_list(
        "application_id", "kind"
    ):
        kinds[application_id].add(kind)
    as_of, version, totals, Facts = cycle.opens_at.year, rubric.version, engine.totals, engine.Facts
    now, no_documents = timezone.now(), frozenset()
    scored, count = [], 0
    for pk, answers in Application.objects.filter(cycle=cycle).values_list("pk", "answers").iterator(chunk_size=BATCH):
        documents = kinds.get(pk)
        scored.append(
            (pk, totals(rubric, Facts(answers or {}, frozenset(documents) if documents else no_documents, as_of)))
        )
        if len(scored) >= BATCH:
            _upsert(scored, version, now)
            count += len(scored)
            scored = []
    if scored:
        _upsert(scored, version, now)
        count += len(scored)
    return count


def estimate_for(application):
    """The applicant's "where you stand": the engine's explained result by rule, judged criteria still open."""
    return explain_application(application)
