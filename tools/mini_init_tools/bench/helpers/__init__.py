"""Small programs the bench runs under each init (as scripts, with `python -I -S`), not imported."""
