"""Operator commands about personal data: `flask --app wsgi data export|erase ID`."""

from __future__ import annotations

from flask.cli import AppGroup

data_cli = AppGroup("data", help="Personal data held about one account (Decree 13/2023).")
