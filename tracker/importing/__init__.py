"""Importing the plans people already have: document text, Word, spreadsheets, YAML.

Every importer produces a `Draft`: a PlanDocument (what would be stored) plus the warnings a
coordinator must look at before confirming. Parsing is pure (no database, no Flask); storing
the confirmed draft is `tracker.handlers.plans.import_plan`.
"""
