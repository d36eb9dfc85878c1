// The marketing videos over the running stack, as a frontend calls them with supabase-js: a seeded
// owner renders a seeded project, the stack's Synthesia fake (no key configured) completes it and
// calls the stack's synthesia-webhook with a signed event (the render row completes without any
// request of ours), and a GET returns a fresh download link.
import { afterAll, describe, expect, it } from "vitest";
import { createClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import ws from "ws";
import { readFunctionsDotEnv } from "../../scripts/lib/settings.ts";
import { closeDbs, mintToken, openDb, stackKeys, stackState, urls } from "../helpers/stack.ts";

afterAll(closeDbs);

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;
const seededProject = "00000000-0000-4000-f600-000000000001";
const env = { ...process.env, ...readFunctionsDotEnv() };
const realSynthesia = Boolean(env.SYNTHESIA_API_KEY && env.SYNTHESIA_WEBHOOK_SECRET);

function clientFor(accessToken: string) {
  return createClient(urls.api, stackKeys().anonKey, {
    global: { headers: { Authorization: `Bearer ${accessToken}` } },
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as unknown as RealtimeTransport },
  });
}

interface Render { id: string; status: string; replayed?: boolean; download?: { url: string } }

describe.skipIf(realSynthesia)("videos over the local stack with the Synthesia fake", () => {
  it("runs the Synthesia fake when no Synthesia key is configured", () => {
    expect(stackState().fakes.Synthesia).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("renders a seeded project; the fake's signed webhook completes it; GET gives a fresh link", async () => {
    const supabase = clientFor((await mintToken("owner.a@tangent.test")).accessToken);
    const request_key = crypto.randomUUID();
    const { data: created, error } = await supabase.functions.invoke<Render>("videos", { body: { project_id: seededProject, request_key } });
    expect(error).toBeNull();
    expect(created).toMatchObject({ status: "in_progress", replayed: false });
    const { data: replay } = await supabase.functions.invoke<Render>("videos", { body: { project_id: seededProject, request_key } });
    expect(replay).toMatchObject({ id: created!.id, replayed: true });

    // The fake completes a video 5 s after creation and POSTs the signed event to the stack's webhook.
    const db = openDb();
    let status = "in_progress";
    for (let i = 0; i < 60 && status !== "complete"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const [row] = await db<{ status: string }[]>`select status::text from public.video_renders where id = ${created!.id}`;
      status = row!.status;
    }
    expect(status).toBe("complete");
    const { data: one } = await supabase.functions.invoke<Render>(`videos/${created!.id}`, { method: "GET" });
    expect(one).toMatchObject({ id: created!.id, status: "complete", fresh: true });
    expect(one!.download!.url).toMatch(/^https:\/\/synthesia-fake\.invalid\//);
  });
});
