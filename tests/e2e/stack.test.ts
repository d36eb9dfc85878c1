// The running stack itself: health, and fakes standing in for outside services without credentials.
import { describe, expect, it } from "vitest";
import { readFunctionsDotEnv } from "../../scripts/lib/settings.ts";
import { stackState, urls } from "../helpers/stack.ts";

describe("the local stack", () => {
  it("reports every function healthy", async () => {
    const res = await fetch(`${urls.api}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", down: [] });
  });

  it("records its own URLs in state.json", () => {
    expect(stackState()).toMatchObject({ dbUrl: urls.db, apiUrl: urls.api });
  });

  it("runs the Twilio fake exactly when no Twilio credentials are configured", async () => {
    const env = { ...process.env, ...readFunctionsDotEnv() };
    const configured = Boolean(env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN);
    const twilio = stackState().fakes.Twilio;
    if (configured) {
      expect(twilio).toBeUndefined();
    } else {
      expect(twilio).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${twilio}/_fake/messages`);
      expect(Array.isArray(await res.json())).toBe(true);
    }
  });
});
