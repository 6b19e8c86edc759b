"""The command line: a Click application and its Rich rendering."""
