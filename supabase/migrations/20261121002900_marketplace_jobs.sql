-- Scheduled jobs of the marketplace (cron syntax: Debian's pg_cron 1.4 has no second schedules).
-- cron.schedule with a job name replaces an existing job of that name, so re-running is harmless.

-- Holds nobody settled (the caller died between hold and settle) give their points back within a
-- minute of expiring.
select cron.schedule('points-expire-holds', '* * * * *', $$select private.expire_holds()$$);

-- Nightly proof that cached wallet balances equal their entries and every transfer balances; a
-- run with findings is also written to the audit log.
select cron.schedule('points-reconcile', '41 2 * * *', $$select private.points_reconcile()$$);
