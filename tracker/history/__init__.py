"""History: a change set per write, who made it, and what it changed.

- :mod:`tracker.history.record`: the change set a write transaction records, from the
  change reports of the write layer (:mod:`tracker.write.report`);
- :mod:`tracker.history.read`: change sets listed, one shown, a record's state at a
  change set, the record as it stood at a time (``--as-of``);
- :mod:`tracker.history.undo`: a change set reverted, as a new change set;
- :mod:`tracker.history.prune`: old change sets removed.
"""
