// The local stack's stand-in for Supabase Cron jobs of type "HTTP request": pg_net is not available on
// this PostgreSQL, so work the database can only flag (a render to re-check at Synthesia) is fetched by
// the stack's supervisor on the same schedule a hosted project gives its Cron job (README).
export interface HttpJob {
  name: string;
  /** Path under the API URL, called with POST and the service role key. */
  path: string;
  everySeconds: number;
}

export const httpJobs: HttpJob[] = [
  { name: "videos-reconcile", path: "/functions/v1/videos/reconcile", everySeconds: 300 },
];

/** Starts every job on its interval; returns the function that stops them. Failures are logged, never thrown. */
export function startHttpJobs(apiUrl: string, serviceRoleKey: string, jobs: HttpJob[], log: (line: string) => void): () => void {
  const call = async (job: HttpJob) => {
    try {
      const res = await fetch(`${apiUrl}${job.path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${serviceRoleKey}`, apikey: serviceRoleKey },
      });
      const body = await res.text();
      if (!res.ok) log(`${job.name}: ${res.status} ${body}`);
    } catch (error) {
      log(`${job.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const timers = jobs.map((job) => setInterval(() => void call(job), job.everySeconds * 1000));
  return () => timers.forEach(clearInterval);
}
