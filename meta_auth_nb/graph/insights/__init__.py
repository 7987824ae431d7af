"""Insights at scale: ``meta.insights(...)``, planned without I/O and run by either driver.

:mod:`.query` checks the arguments and turns them into Graph parameters
(date presets become dates in each ad account's time zone);
:mod:`.slices` cuts the pull into slices (an ad account and a date range
aligned to ``time_increment``) and halves a slice Graph finds too large;
:mod:`.report` plans one slice: a synchronous report or an async report run
(created, polled, paged), retried and split as Graph asks; :mod:`.pull`
plans the whole pull (accounts, plan, slices side by side, a ledger of what
arrived) and :mod:`.ledger` keeps that record; :mod:`.tidy` builds the
DataFrame. What does I/O for a pull lives with the drivers
(:mod:`meta_auth_nb.graph.drivers`): the checkpoint file, the progress bar
(``tqdm.auto``), and what the sessions' ``insights`` methods share. Like the
package above it, this one imports nothing.
"""
