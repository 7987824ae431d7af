"""The Graph API client: an I/O-free core and two thin drivers on httpx.

The core decides everything without touching the network: :mod:`.request`
builds a request (:mod:`.proof` signs it), :mod:`.reply` reads the answer
(:mod:`.classify` names its error), :mod:`.policy` says how long to wait,
:mod:`.core` plans one call with its retries and pacing, :mod:`.paging` and
:mod:`.batch` plan pulls and batches. A plan is a generator of actions
(:mod:`.plan`): send this, sleep that long, run these plans. :mod:`.sync`
(:class:`GraphSession`, on ``httpx.Client``) and :mod:`.aio`
(:class:`AsyncGraphSession`, on ``httpx.AsyncClient``) only perform those
actions, with what they share from httpx in :mod:`.transport`.
Import the modules themselves: this package imports nothing, so reaching
the sans-IO core never pulls httpx.
"""
