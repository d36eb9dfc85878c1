// Limits Auth cannot express for our pre-login endpoints: per identifier and per client IP, counted in
// private.rate_limit_hits (fixed windows) so every function instance shares them.
import type { Tx } from "./db.ts";
import { ApiError } from "./http.ts";

export interface RateLimit {
  /** Bucket name, e.g. "check-user:ip". The key (an IP, a phone) is appended. */
  name: string;
  max: number;
  windowSeconds: number;
}

/** The caller's address as the platform's proxy reports it (first X-Forwarded-For hop), if it is one. */
export function clientIp(req: Request): string | null {
  const candidate = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || req.headers.get("cf-connecting-ip") ||
    req.headers.get("x-real-ip");
  // Only something that looks like an IPv4 or IPv6 address is passed on (Auth stores it as inet).
  return candidate && /^[0-9a-fA-F.:]{2,45}$/.test(candidate) ? candidate : null;
}

/** Counts one hit against each limit; throws 429 request.rate_limited naming the window when one is full. */
export async function enforceRateLimits(tx: Tx, hits: { limit: RateLimit; key: string }[]): Promise<void> {
  for (const { limit, key } of hits) {
    const [row] = await tx<{ allowed: boolean }[]>`
      select private.rate_limit_take(${`${limit.name}:${key}`}, ${limit.max}, make_interval(secs => ${limit.windowSeconds})) as allowed`;
    if (row?.allowed !== true) {
      throw new ApiError(429, "request.rate_limited", `too many requests; try again in ${limit.windowSeconds} seconds`, {
        limit: limit.name, max: limit.max, window_seconds: limit.windowSeconds,
      }, { "retry-after": String(limit.windowSeconds) });
    }
  }
}
