"""A case chronology for a statement (``casewatch report``, ``/cases/SLUG/report``): hearings
held, postponements and their reasons, the next hearing, the articles by outlet and the
evidence behind each, from the store — one model (:mod:`.build`) rendered as Markdown or as
printable HTML (:mod:`.render`)."""
