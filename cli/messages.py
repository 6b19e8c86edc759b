"""Every sentence the command line says to a user, in one place."""

ERROR = "error: {message}"
USAGE_ERROR = "error: {message} (see '{command} -h')"
INTERRUPTED = "error: interrupted"
NOT_UTF8 = "UTF-8 text (the argument holds bytes that are not UTF-8)"
UNEXPECTED = "error: unexpected {kind}: {message} (run with --debug for the traceback)"
BROKEN_PIPE = ""

UPGRADED = "Database {url} is at revision {revision} (head)."
ALREADY_AT_HEAD = "Database {url} is already at revision {revision} (head)."
CURRENT = "{revision}"
CURRENT_NONE = "none (no schema yet: run 'tracker db upgrade')"

LOADED = "{what}: {added} added, {updated} updated, {unchanged} unchanged."
DRY_RUN = (
    "Dry run of {what}: would add {added}, update {updated}, leave {unchanged} unchanged;"
    " nothing written."
)
SECTION_LINE = "  {section}: {added} added, {updated} updated, {unchanged} unchanged"
MATCHED = ", {matched} matched"
NEW_NAME = "  new {kind}: {name}{hint}"
CREATED_NAME = "  created {kind}: {name}"
WOULD_CREATE = "  would create {kind}: {name}"
DID_YOU_MEAN = " (did you mean {names}?)"
CREATE_HINT = "; check the names listed, or give --create to add them"
KEPT_LINE = "  kept local changes: {kind} {uid} ({fields})"
WROTE = "Wrote {what} to {path}."
FILE_MISSING = "{path}: no such file"
FILE_UNREADABLE = "{path}: cannot read it ({reason})"
FILE_TOO_LARGE = "a file of at most {limit} (this one has {found})"
NUL_IN_STREAM = "text, without NUL bytes (a document or table never holds one)"
FORMAT_UNKNOWN = "a format given by --format or by the file's extension ({known})"

LOGGED = "Logged meeting {uid}."
BEFORE = "Before:"
AFTER = "After:"
DELETE_PROMPT = "Delete {what} {label!r} ({uid})?"
DELETED = "Deleted {visits} visit(s), {meetings} meeting(s), {statements} statement(s)."
DELETED_EMPTY = (
    "Deleted {visits} visit(s), {meetings} meeting(s), {statements} statement(s)"
    " (visit {uid} had no other meeting)."
)
REGISTRY_ADDED = "Added {kind} {uid}."
ALREADY_RECORDED_HINT = "; change it with 'tracker {group} edit', or add another with --duplicate"
NO_COUNTRY = (
    "note: {name} has no country; set it with 'tracker people edit \"{name}\" --country XX'"
)
MERGED = (
    "Merged {kind} {name!r} ({uid}) into {into!r} ({into_uid}): {meetings} meeting(s),"
    " {visits} visit(s), {statements} statement(s), {places} place(s) changed;"
    " {name!r} is now an alias."
)
STATEMENT_ADDED = "Added statement s:{id} ({uid})."
STATEMENT_DELETED = "Deleted statement {ref}."
DUPLICATE_HINT = "; add to it with 'tracker edit {ref}', or log it anyway with --duplicate"

DISPUTED_LEGEND = (
    "! a fact of the meeting is disputed: its sources disagree ('tracker show REF' sets their"
    " accounts side by side)"
)
DISPUTED_FACTS = "disputed: the accounts of each fact, side by side (* the record's value)"
NO_ENVOYS = "No visits recorded (load some with 'tracker seed' or 'tracker log')."
NO_VISITS = "No visits of {name} match."
NO_MEETINGS = "No meetings match."
NO_COUNTERPARTS = "No held meetings between an envoy and a counterpart match."
NO_PEOPLE = "No people match."
NO_PLACES = "No places match."

CANNOT_WRITE = "{path}: cannot write it ({reason})"

ROWS_LINE = "  rows: {rows} read, {rejected} rejected"
REJECTS_WRITTEN = "  rejected rows and their reasons: {path}"
PROBLEMS_LINE = "  problems: {rows} {row_word} in {columns} {column_word}"
PROBLEM_LINE = "  {where}: expected {expected}"
PROBLEM_VALUE = "    {value}: {count} {row_word} ({rows})"
PROBLEM_NO_VALUE = "    {count} {row_word} ({rows})"
MORE_ROWS = ", …"
ENCODING_HINT = ", or import it as it is with --encoding {encoding}"
NO_ENCODING_HINT = " (convert it to UTF-8, or name its encoding with --encoding)"
SKIP_HINT = ": fix them, or give --skip-invalid to import the others"
REJECTS_NOT_WRITTEN = "  (a dry run writes no reject file)"
IGNORED_LINE = "  ignored columns: {columns}"
CSV_ONLY = "a csv file (the option applies to tables only)"

BACKED_UP = "Backed up {source} to {path} ({size:,} bytes)."

NO_CHANGE_SETS = "No change sets match."
UNDONE = (
    "Undid change set {number}: {restored} record(s) restored, {deleted} deleted"
    " (recorded as change set {recorded})."
)
PRUNED = "Removed {sets} change set(s) made before {before} ({changes} record change(s))."
UNDONE_NOTHING = (
    "Change set {number}: its records are already as they were before it; nothing to undo."
)

ACCOUNT_ADDED = "Added account {n} of {field} to {uid}."
ACCOUNT_PREFERRED = "Account {n} of {field} is now the preferred one of {uid}."
ACCOUNT_DELETED = "Deleted account {n} of {field} of {uid}."
NO_ACCOUNTS = "No accounts recorded."
