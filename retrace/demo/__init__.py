"""Demo and synthetic data: a fictional but realistic world of parties, product models and full chains.

``dataset`` is the fixed demo data set, ``synthetic`` generates data of any size, ``loader`` loads either through
the real use cases.  ``catalogue``, ``codes``, ``world`` and ``flows`` are the machinery.  See docs/demo-data.md.
"""
