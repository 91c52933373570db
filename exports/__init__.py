"""Writing tables for people's spreadsheets, shared by every app that exports.

A plain package below every app (no models): any app's CSV or XLSX export may
use it without importing another app.
"""
