"""The Graph drivers: every module of the Graph layer that does I/O.

:mod:`.sync` (:class:`~.sync.GraphSession`) and :mod:`.aio`
(:class:`~.aio.AsyncGraphSession`) perform the core's plans with httpx;
:mod:`.transport` is what they share of httpx, :mod:`.gather` their
task groups; :mod:`.threads` runs the sync driver's plans side by side on
the background event loop (:mod:`.loop`); :mod:`.insights` turns
``insights()``'s arguments into a plan, with its checkpoint file
(:mod:`.checkpoint`) and its progress bar (:mod:`.progress`). The I/O-free core above never imports them.
Like the package above it, this one imports nothing.
"""
