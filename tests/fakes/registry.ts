// The outside services our functions call, and how the local stack stands in for each one when no real
// credentials are configured: it starts the fake and hands the functions the fake's URL and credentials
// under the same variable names the real service uses.
import { randomBytes } from "node:crypto";
import { startSynthesiaFake } from "./synthesia.ts";
import { startTwilioFake } from "./twilio.ts";
import type { Fake } from "./server.ts";

export interface OutsideService {
  name: string;
  /** All of these set (environment or functions/.env) means: use the real service. */
  credentials: string[];
  /** Environment for the functions when the real service is used. */
  real(env: Record<string, string | undefined>): Record<string, string>;
  /** Start the fake and return it with the environment that points the functions at it. */
  fake(stack: { functionsUrl: string }): Promise<{ fake: Fake; env: Record<string, string> }>;
}

export const outsideServices: OutsideService[] = [
  {
    name: "Twilio",
    credentials: ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"],
    real: (env) => ({ TWILIO_API_URL: env.TWILIO_API_URL ?? "https://api.twilio.com" }),
    fake: async () => {
      const fake = await startTwilioFake();
      return {
        fake,
        env: {
          TWILIO_API_URL: fake.url,
          TWILIO_ACCOUNT_SID: fake.accountSid,
          TWILIO_AUTH_TOKEN: fake.authToken,
          TWILIO_MESSAGING_SERVICE_SID: "MG00000000000000000000000000000000",
        },
      };
    },
  },
  {
    name: "Synthesia",
    credentials: ["SYNTHESIA_API_KEY", "SYNTHESIA_WEBHOOK_SECRET"],
    real: (env) => ({ SYNTHESIA_API_URL: env.SYNTHESIA_API_URL ?? "https://api.synthesia.io" }),
    // Real Synthesia cannot reach a local URL; the fake calls our webhook function itself, and
    // renders complete after a few seconds so the whole flow runs without intervention.
    fake: async ({ functionsUrl }) => {
      const secret = randomBytes(24).toString("hex");
      const fake = await startSynthesiaFake({ webhook: { url: `${functionsUrl}/synthesia-webhook`, secret }, autoCompleteMs: 5000 });
      return { fake, env: { SYNTHESIA_API_URL: fake.url, SYNTHESIA_API_KEY: fake.apiKey, SYNTHESIA_WEBHOOK_SECRET: secret } };
    },
  },
];
