"""The Graph API client: an I/O-free core and two thin drivers on httpx.

The core decides everything without touching the network: :mod:`.request`
builds a request and tells reads from writes (:mod:`.proof` signs it,
:mod:`.links` keeps tokens out of URLs and replies), :mod:`.reply` reads the
answer (:mod:`.classify` names its error, :mod:`.versions` words a version
warning), :mod:`.policy` says whether to retry, :mod:`.pacing` how long to
wait for a rate limit, :mod:`.core` plans one call with its retries and
pacing, :mod:`.paging` and :mod:`.batch` plan pulls and batches. A plan is
a generator of actions (:mod:`.plan`): send this, sleep that long, run these
plans. :mod:`.sync`
(:class:`GraphSession`, on ``httpx.Client``) and :mod:`.aio`
(:class:`AsyncGraphSession`, on ``httpx.AsyncClient``) only perform those
actions, with what they share from httpx in :mod:`.transport`.
Import the modules themselves: this package imports nothing, so reaching
the sans-IO core never pulls httpx.
"""
