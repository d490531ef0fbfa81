"""A read query that costs more to build and compile than to run, compiled once per process and database.

Django builds and compiles a queryset again on every request. For a query of many correlated subqueries
(the organizers' counts in pages/attention.py: fifteen of them) that is nearly all of a page's time, while
the database answers in well under a millisecond. ``PreparedQuery`` builds the queryset once with sample
values for its parameters, keeps the SQL and where each sample went among the parameters, and runs that
SQL with the real values from then on.

Only datetimes may vary (what "now" is, and times computed from it): each sample is a distinctive instant
that no real query holds, so a parameter equal to a sample's database form is that sample's place.
"""

from datetime import UTC, datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections

# Distinctive instants: a real query never holds them, so their places among the parameters are certain.
SAMPLE = datetime(1901, 2, 3, 4, 5, 6, 70809, tzinfo=UTC)


def samples(*names):
    """A distinct sample instant for each parameter name."""
    return {name: SAMPLE + timedelta(microseconds=index) for index, name in enumerate(names)}


class PreparedQuery:
    """``build(**values)`` returns a ``values()`` queryset; ``rows(**values)`` runs its SQL, each row a
    dictionary by column name (a field's column, an annotation's name).

    Compiled on first use for each database alias (so the SQL is in that database's dialect), then reused.
    """

    def __init__(self, build, *names):
        self.build = build
        self.samples = samples(*names)
        self.compiled = {}  # alias → (sql, the sample's params, {place of a sample: its name})

    def _compile(self, alias):
        connection = connections[alias]
        queryset = self.build(**self.samples).using(alias)
        sql, params = queryset.query.get_compiler(alias).as_sql()
        adapted = {connection.ops.adapt_datetimefield_value(value): name for name, value in self.samples.items()}
        places = {index: adapted[param] for index, param in enumerate(params) if _hashable(param) in adapted}
        return sql, list(params), places

    def rows(self, using=DEFAULT_DB_ALIAS, **values):
        if values.keys() != self.samples.keys():
            raise TypeError(f"Give exactly these values: {', '.join(self.samples)}.")
        if using not in self.compiled:
            self.compiled[using] = self._compile(using)
        sql, params, places = self.compiled[using]
        connection = connections[using]
        params = list(params)
        for index, name in places.items():
            params[index] = connection.ops.adapt_datetimefield_value(values[name])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            columns = [column[0] for column in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _hashable(param):
    try:
        hash(param)
    except TypeError:
        return None
    return param
