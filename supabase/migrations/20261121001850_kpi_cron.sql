-- The KPI jobs. cron.schedule with a job name replaces the job of that name, so applying this again
-- changes nothing; 5-field schedules, which pg_cron 1.4 (Debian) and 1.6 (Supabase) both accept.
select cron.schedule('kpi-refresh', '*/15 * * * *', $$select private.refresh_kpis()$$);
select cron.schedule('kpi-reconcile', '40 1 * * *', $$select private.reconcile_kpis(3)$$);
