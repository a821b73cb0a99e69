"""Texts and buttons: locale files and i18n, ticket cards, callback data, CSV files in and out.

Imports storage's row types and state's rules; nothing above.
"""
