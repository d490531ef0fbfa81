"""Every change to a rubric raises its version, whichever way it is made.

``Rubric.to_engine()`` keeps the rubric it built, in each process, under its pk, version and stamp
(``scoring.built``): a change that did not raise them would leave every process scoring by the old rules.
So besides ``save`` and ``delete`` of one part (``scoring.models.RubricPart``), the querysets of the
parts raise the version of each rubric they touch on ``update`` (and so ``bulk_update``), ``delete`` and
``bulk_create``, and the rubrics' own queryset on an ``update`` of what the engine reads from its row.
"""

import uuid

from django.db import transaction
from django.db.models import F, QuerySet

# What the engine reads from the rubric's own row: changing one of these is a new version.
ENGINE_FIELDS = frozenset({"threshold", "min_category_share"})


def new_version():
    """The values of an UPDATE giving a rubric its next version."""
    return {"version": F("version") + 1, "stamp": uuid.uuid4()}


class RubricQuerySet(QuerySet):
    def update(self, **kwargs):
        if ENGINE_FIELDS & kwargs.keys() and "version" not in kwargs:
            kwargs = {**kwargs, **new_version()}
        return super().update(**kwargs)

    update.alters_data = True


def raise_versions(rubrics, rubric_ids):
    """A new version for each of these rubrics (``rubrics``: a queryset of them; one query, none if no id)."""
    if rubric_ids:
        rubrics.filter(pk__in=rubric_ids).update(**new_version())


class RubricPartQuerySet(QuerySet):
    """Changes in bulk raise the version of the rubrics they touch, in the same transaction.

    ``bump=False``: only for parts of a rubric whose version the caller raises itself, or of a new rubric
    in the transaction that creates it (``scoring.domain._copy_parts``)."""

    def _raise(self, rubric_ids):
        rubrics = self.model._meta.get_field("rubric").related_model.objects.using(self.db)
        raise_versions(rubrics, rubric_ids)

    def _touched(self, bump):
        return set(self.values_list("rubric_id", flat=True).distinct()) if bump else set()

    def update(self, bump=True, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            rubric_ids = self._touched(bump)
            count = super().update(**kwargs)
            moved_to = kwargs.get("rubric", kwargs.get("rubric_id"))
            if bump and moved_to is not None:
                rubric_ids.add(getattr(moved_to, "pk", moved_to))
            self._raise(rubric_ids)
        return count

    update.alters_data = True

    def delete(self, bump=True):
        with transaction.atomic(using=self.db, savepoint=False):
            rubric_ids = self._touched(bump)
            deleted = super().delete()
            self._raise(rubric_ids)
        return deleted

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_create(self, objs, *args, bump=True, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            made = super().bulk_create(objs, *args, **kwargs)
            self._raise({o.rubric_id for o in objs} if bump else set())
        return made

    bulk_create.alters_data = True
