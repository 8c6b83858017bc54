"""Software for the capture devices: clients of the REST capture API, never a way around it.

- ``sync``: the offline-first sync client for handhelds and gateways (durable local queue, batched idempotent
  retries, dead letters).
- ``rfid``: the RFID bridge for LLRP readers (a minimal LLRP client, a repeat filter, EPC decoding) and a reader
  emulator for tests and trials.
- ``cli``: ``trace sync …`` and ``trace rfid …``.

Everything here talks to the platform over HTTP (``POST /api/v1/events``).  It imports the domain's value objects
(identifiers, error codes) but never the API, the stores or the use cases: an import-linter contract holds that.
"""
