// The Twilio fake checked against the reference, the official `twilio` package: its client must be able
// to talk to the fake, and its validateRequest must accept the fake's signed status callbacks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import twilio from "twilio";
import { startFake, type Fake } from "./server.ts";
import { startTwilioFake, twilioSignature, UNDELIVERABLE_TO, type TwilioFake } from "./twilio.ts";

let fake: TwilioFake;
let receiver: Fake;

beforeAll(async () => {
  fake = await startTwilioFake();
  receiver = await startFake(() => new Response(null, { status: 204 }));
});

afterAll(async () => {
  await fake.stop();
  await receiver.stop();
});

function sdkClient(authToken = fake.authToken) {
  const client = twilio(fake.accountSid, authToken);
  client.api.baseUrl = fake.url;
  return client;
}

async function waitFor<T>(probe: () => T | undefined, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("Twilio fake", () => {
  it("signs like Twilio: the documented test vector", () => {
    const params = { CallSid: "CA1234567890ABCDE", Caller: "+12349013030", Digits: "1234", From: "+12349013030", To: "+18005551212" };
    expect(twilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params)).toBe("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  });

  it("accepts a message from the official client and returns a Message it can parse", async () => {
    const message = await sdkClient().messages.create({ to: "+998901234567", from: "+15005550006", body: "Your code is 123456" });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe("queued");
    expect(fake.messages.at(-1)).toMatchObject({ to: "+998901234567", body: "Your code is 123456" });
    const fetched = await sdkClient().messages(message.sid).fetch();
    expect(fetched.body).toBe("Your code is 123456");
  });

  it("refuses wrong credentials with Twilio's 20003", async () => {
    await expect(sdkClient("wrong-token").messages.create({ to: "+998901234567", from: "+15005550006", body: "x" }))
      .rejects.toMatchObject({ status: 401, code: 20003 });
  });

  it("answers Twilio's magic numbers with their error codes", async () => {
    await expect(sdkClient().messages.create({ to: "+15005550004", from: "+15005550006", body: "x" }))
      .rejects.toMatchObject({ status: 400, code: 21610 });
    await expect(sdkClient().messages.create({ to: "12345", from: "+15005550006", body: "x" }))
      .rejects.toMatchObject({ code: 21211 });
  });

  it("sends status callbacks that the official validateRequest accepts", async () => {
    const callbackUrl = `${receiver.url}/functions/v1/twilio-status?tenant=1`;
    await sdkClient().messages.create({ to: UNDELIVERABLE_TO, messagingServiceSid: "MG00000000000000000000000000000000", body: "x", statusCallback: callbackUrl });
    const failed = await waitFor(() => receiver.requests.find((r) => r.body.includes("MessageStatus=failed")));
    const params = Object.fromEntries(new URLSearchParams(failed.body));
    expect(params.ErrorCode).toBe("30003");
    expect(twilio.validateRequest(fake.authToken, failed.headers["x-twilio-signature"]!, callbackUrl, params)).toBe(true);
    expect(twilio.validateRequest("another-token", failed.headers["x-twilio-signature"]!, callbackUrl, params)).toBe(false);
  });
});
