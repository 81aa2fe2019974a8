"""The sorted lists of theme and co-sponsor names an intervention's row keeps for the CSV export.

The export writes each list as one cell, the names sorted and joined with LIST_SEPARATOR. Rather than
have PostgreSQL's COPY aggregate and sort two lists for every row (at 1M, 10.7-10.8 s of executor time
for the whole archive with them, 8.6-9.2 s without), each row keeps its two lists
(`Intervention.theme_names`, `.on_behalf_of_names`). They change exactly when the names the search
index holds change, so search.refresh_search_index() writes them too, and every signal and bulk change
that refreshes the index keeps them current. They are stored in the row (STORAGE MAIN, migration 0020): the
table's small TOAST target had moved them out of it, and each read of a list was a TOAST fetch.
"""

from django.db import transaction

LIST_SEPARATOR = "; "
BATCH_SIZE = 2000

# PostgreSQL sorts by the database's collation, as the export's own queries do (in the row being updated).
PG_THEME_NAMES_SQL = (
    f"COALESCE((SELECT string_agg(th.name, '{LIST_SEPARATOR}' ORDER BY th.name) "  # noqa: S608 - constant SQL
    "FROM interventions_intervention_themes t JOIN interventions_theme th ON th.id = t.theme_id "
    "WHERE t.intervention_id = interventions_intervention.id), '')"
)
PG_ON_BEHALF_OF_NAMES_SQL = (
    f"COALESCE((SELECT string_agg(o.name, '{LIST_SEPARATOR}' ORDER BY o.name) "  # noqa: S608 - constant SQL
    "FROM interventions_intervention_on_behalf_of t JOIN interventions_organisation o ON o.id = t.organisation_id "
    "WHERE t.intervention_id = interventions_intervention.id), '')"
)
# Every row at once, for a migration or a repair.
PG_UPDATE_ALL_SQL = (
    f"UPDATE interventions_intervention SET theme_names = {PG_THEME_NAMES_SQL}, "  # noqa: S608 - constant SQL
    f"on_behalf_of_names = {PG_ON_BEHALF_OF_NAMES_SQL}"
)
# SQLite sorts text by its bytes (the BINARY collation), which for UTF-8 is Python's order of code points.
UPDATE_SQL = "UPDATE interventions_intervention SET theme_names = %s, on_behalf_of_names = %s WHERE id = %s"


def joined(names) -> str:
    """A list as the export writes it, sorted as SQLite sorts it."""
    return LIST_SEPARATOR.join(sorted(names))


def write(interventions, connection) -> None:
    """Store the lists of interventions read with their themes and co-sponsors prefetched, sorted in Python.

    Not for PostgreSQL, which sorts by its own collation (PG_THEME_NAMES_SQL, PG_ON_BEHALF_OF_NAMES_SQL).
    """
    params = [
        (
            joined(theme.name for theme in row.themes.all()),
            joined(partner.name for partner in row.on_behalf_of.all()),
            row.pk,
        )
        for row in interventions
    ]
    with connection.cursor() as cursor:
        cursor.executemany(UPDATE_SQL, params)


def write_ids(ids, connection, model) -> None:
    """Store the lists of the interventions with these ids; not for PostgreSQL (see write())."""
    write(model._base_manager.filter(pk__in=ids).prefetch_related("themes", "on_behalf_of"), connection)


def refresh_all(model, connection) -> None:
    """Recompute every intervention's lists, for writes that send no signals: a migration, a restore.

    `model` is the Intervention model, or a migration's historical one.
    """
    with transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # One statement for the whole archive (2.5 minutes at a million interventions on two CPUs): longer
                # than the limit the settings may set for pages. Until the end of the caller's transaction.
                cursor.execute("SET LOCAL statement_timeout = 0")
                cursor.execute(PG_UPDATE_ALL_SQL)
            return
        ids = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH_SIZE):
            write_ids(ids[start : start + BATCH_SIZE], connection, model)
