"""tracker: a sourced, queryable timeline of diplomatic visits and meetings.

The domain layer: the event model, dates, names and the services that read and
write them. Nothing here prints, and nothing here imports Click or Rich.
"""

__version__ = "0.1.0"
