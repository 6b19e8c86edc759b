"""The one write layer: every path that changes the record goes through it.

- :mod:`tracker.fields`: the field rules (text, URL, uid, country, language);
- :mod:`tracker.resolve`: the name resolver for people and places;
- :mod:`tracker.write.sources`: one source per URL, or per publisher and title;
- :mod:`tracker.write.rules`: when two meetings are one (the duplicate rule) and which
  visit a meeting or a trip joins (the visit rule), over plain values, so that the bulk
  CSV path and the ORM paths take the same decisions;
- :mod:`tracker.write.report`: what a write did, record by record;
- :mod:`tracker.write.writer`: the writes themselves (log, merge, edit, delete), and the
  registry and source find-or-create that every path uses.
"""
