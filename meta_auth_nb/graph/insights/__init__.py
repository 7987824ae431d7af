"""Insights at scale: ``meta.insights(...)``, planned without I/O and run by either driver.

:mod:`.arguments` holds what the call asks, checked before any request by
:mod:`.checks` (ids, days Meta keeps or has not yet) against the names table
of :mod:`.names`; :mod:`.query` turns it into Graph parameters (date presets
become dates in each ad account's time zone); :mod:`.targets` checks the ids
against what the token reaches in one look-up and tells campaigns, ad sets
and ads apart; :mod:`.slices` cuts the pull into slices (a target and a date
range aligned to ``time_increment``) and halves a slice Graph finds too
large; :mod:`.report` plans one slice: a synchronous report or an async
report run (created, polled with its reason if it fails, paged), retried and
split as Graph asks, a single bucket still too large split by campaign, ad
set and fields in :mod:`.split`; :mod:`.pull` plans the whole pull (targets,
plan, the first slice alone, the rest side by side, a ledger of what
arrived) and :mod:`.ledger` keeps that record, its rows in a store;
:mod:`.tidy` builds the DataFrame. What does I/O for a pull lives with the
drivers (:mod:`meta_auth_nb.graph.drivers`): the checkpoint file (SQLite),
the ``to=`` folder (Parquet), the progress display, and what the sessions'
``insights`` methods share. Like the package above it, this one imports
nothing.
"""
