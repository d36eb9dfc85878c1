// The local stand-in for Supabase Cron HTTP jobs (scripts/lib/http-jobs.ts): each job is POSTed on its
// interval with the service role key, a failing endpoint is logged without stopping the schedule, and
// stopping ends every job. The schedule itself names the videos reconcile endpoint.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { httpJobs, startHttpJobs } from "../../scripts/lib/http-jobs.ts";

const calls: { method: string; url: string; authorization: string | undefined }[] = [];
const server = createServer((req: IncomingMessage, res) => {
  calls.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization });
  res.statusCode = req.url === "/broken" ? 500 : 200;
  res.end(req.url === "/broken" ? "boom" : "{}");
});
let base = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (url: string) => calls.filter((c) => c.url === url).length;

it("calls each job on its interval with the service role key, logs failures, and stops", async () => {
  const logged: string[] = [];
  const stop = startHttpJobs(base, "service-key", [
    { name: "ok-job", path: "/ok", everySeconds: 0.05 },
    { name: "broken-job", path: "/broken", everySeconds: 0.05 },
  ], (line) => logged.push(line));
  // Until each job has run three times (a loaded machine may delay timers), at most 10 s.
  for (let waited = 0; waited < 10_000 && !(count("/ok") >= 3 && count("/broken") >= 3); waited += 50) await sleep(50);
  stop();
  await sleep(100); // a call already under way when stop() ran still lands
  const ok = calls.filter((c) => c.url === "/ok");
  expect(ok.length).toBeGreaterThanOrEqual(3);
  expect(ok.every((c) => c.method === "POST" && c.authorization === "Bearer service-key")).toBe(true);
  expect(calls.filter((c) => c.url === "/broken").length).toBeGreaterThanOrEqual(3);
  expect(logged.some((line) => line === "broken-job: 500 boom")).toBe(true);
  expect(logged.some((line) => line.startsWith("ok-job"))).toBe(false);
  const after = calls.length;
  await sleep(200);
  expect(calls.length).toBe(after);
});

it("logs an unreachable endpoint instead of throwing", async () => {
  const logged: string[] = [];
  const stop = startHttpJobs("http://127.0.0.1:9", "k", [{ name: "gone", path: "/x", everySeconds: 0.05 }], (line) => logged.push(line));
  for (let waited = 0; waited < 10_000 && logged.length === 0; waited += 50) await sleep(50);
  stop();
  expect(logged.some((line) => line.startsWith("gone: "))).toBe(true);
});

it("schedules the videos reconcile endpoint every 5 minutes, as the README tells a hosted project to", () => {
  expect(httpJobs).toContainEqual({ name: "videos-reconcile", path: "/functions/v1/videos/reconcile", everySeconds: 300 });
});
