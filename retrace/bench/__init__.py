"""The benchmark (``scripts/bench``): speed and scale of both stores, side by side with naive approaches.

It loads a synthetic data set (``retrace.demo.synthetic``) through the real use cases into each store, times the
questions users ask (identifier lookups, history, lineage, site inventory and mass balance, recovery and EPR reports,
a GraphQL list through the real app), and answers the key ones a second way, naively, on the same data and the same
store, checking that both ways give the same answer.  ``docs/benchmark.md`` says what each row means.

An entry point like the CLI: it may use every layer; nothing in the product imports it.
"""
