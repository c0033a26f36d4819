"""Data from where trials keep it: CDISC ADaM and SDTM datasets, REDCap exports.

Each format's reader maps its files to the product's three tables (``registry.py``); the
importer then validates and writes them all or nothing (``monitoring.db.importer``).
"""
