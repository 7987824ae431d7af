"""The Graph API client: an I/O-free core and thin sync and async drivers on httpx.

:mod:`.core` builds requests, reads replies and decides retries, pacing and
paging without touching the network; :mod:`.sync` (:class:`GraphSession`)
and :mod:`.aio` (:class:`AsyncGraphSession`) only send what it asks for.
Import the modules themselves: this package imports nothing, so reaching
the sans-IO core never pulls httpx.
"""
