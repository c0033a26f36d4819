"""The analysis tables of one data cut, each computed from a ``Derivation`` and the protocol.

- ``response``: response rates per definition, best overall response, subgroups.
- ``safety``: adverse-event tables by category, term and worst grade.
- ``safety_listings``: monitored-toxicity, serious-event and death listings.
- ``treatment``: exposure and treatment summary.
- ``endpoints``: survival of each protocol endpoint, overall and by subgroup.
- ``table_set``: all of the above at one cut-off, as the ``tables`` command, the report and
  the pages show them.
"""
