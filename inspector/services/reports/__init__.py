"""Reporting upward (上报): figures (figures.py), reporting dates and who owes what (deadlines.py),
the reports and their frozen snapshots (service.py), late reports on the 待办 lists (todo.py)."""
