"""montagne-kg: a knowledge graph of the French mountain industry's international cooperation.

Two subpackages share only the build-directory contract (``layout``), the format table (``formats``) and the
namespaces: ``building`` (sources, reasoning, validation, dumps, linking) and ``serving`` (store, queries and
their limits, protocol, pages). A server process never imports ``building``.
"""
