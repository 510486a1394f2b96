"""Quarterly progress reports for the board, reconstructed from the event log as of any date."""
