"""The OAI-PMH 2.0 provider at /oai (read-only): stories, talks, meeting reports and projects.

Identifiers are `oai:<site host>:<kind>/<id>` (kind: story, talk, report, project) and never
change. Sets: `chapter:<slug>`, `kind:<kind>` and both, `chapter:<slug>:kind:<kind>` (a child
of `chapter:<slug>`); `chapter` and `kind` name everything. Datestamps are UTC with seconds
granularity (day granularity is accepted in from/until); withdrawn records stay as deleted
records (deletedRecord persistent). Lists are ordered by (datestamp, kind, id) and paged with
stateless signed resumption tokens valid for 24 hours. A record changed or withdrawn during a
harvest gets a datestamp after the harvester's position, so it arrives later in the same
harvest (or in the next incremental one): nothing is skipped and no page repeats another.
"""
