"""Intake of leads that do not start in the console's register form: a 12315 export file
(`importing`, over `reading` and `mapping`) and an inspector's phone (`phone`).

Both end in the complaints register's one entry point (`filings`), so a filing has one shape
however it came in.
"""
