"""Training commands for Dateline's models (the event detector); they read corpora from ../shared at run time."""
