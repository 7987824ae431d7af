"""The Graph API client: an I/O-free core, and the drivers that do its I/O in :mod:`.drivers`.

The core decides everything without touching the network: :mod:`.request`
builds a request and tells reads from writes (:mod:`.proof` signs it,
:mod:`.links` keeps tokens out of URLs and replies), :mod:`.reply` reads the
answer (:mod:`.classify` names its error, :mod:`.versions` words a version
warning), :mod:`.policy` says whether to retry, :mod:`.pacing` how long to
wait for a rate limit, :mod:`.core` plans one call with its retries and
pacing, :mod:`.paging` and :mod:`.batch` plan pulls and batches, and
:mod:`.insights` plans whole insights pulls. A plan is a generator of
actions (:mod:`.plan`): send this, sleep that long, run these plans.

Everything that touches the network, a file, a thread pool or the terminal
lives in :mod:`.drivers`: :class:`~.drivers.sync.GraphSession` (on
``httpx.Client``) and :class:`~.drivers.aio.AsyncGraphSession` (on
``httpx.AsyncClient``) only perform what a plan asks. An import-linter
contract keeps it so: no module of this package outside :mod:`.drivers`
imports httpx, anyio, asyncio, tqdm, socket or urllib.request, or a driver.
Import the modules themselves: this package imports nothing, so reaching
the I/O-free core never pulls httpx.
"""
