"""Insights at scale: ``meta.insights(...)``, planned without I/O and run by either driver.

:mod:`.query` checks the arguments and turns them into Graph parameters
(date presets become dates in each ad account's time zone);
:mod:`.slices` cuts the pull into slices (an ad account and a date range
aligned to ``time_increment``) and halves a slice Graph finds too large;
:mod:`.report` plans one slice: a synchronous report or an async report run
(created, polled, paged), retried and split as Graph asks; :mod:`.pull`
plans the whole pull (accounts, plan, slices side by side, a ledger of what
arrived) and :mod:`.ledger` keeps that record; :mod:`.tidy` builds the
DataFrame. Two modules do I/O of their own, for the user: :mod:`.checkpoint`
writes the ledger to a file after every slice, :mod:`.progress` draws the
progress bar (``tqdm.auto``). :mod:`.api` is what the sessions' ``insights``
methods share. Like the package above it, this one imports nothing.
"""
