"""Build steps of the embedded strategic network (run ``scripts/build_network.py``).

Modules: ``common`` (paths, records, parsers), ``sources`` (seats, townships),
``placement`` (name → node rules), ``rail``, ``road``, ``access``, ``external``,
``writers``, ``zones``, ``scenarios``, ``report`` and ``pipeline`` (the order of the steps).
"""
