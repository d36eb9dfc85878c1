// What every benchmark of `npm run bench` shares: the result line (DESIGN §6), the context a benchmark
// runs in, and the interleaved measured/ceiling pairs most of them are judged by.
import type postgres from "postgres";
import type { StackSettings } from "./settings.ts";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  ceiling: string;
  ceiling_value: number;
  ratio: number;
  target: string;
  ok: boolean;
}

export interface BenchContext {
  api: string;
  /** supabase_admin (superuser): builds data and checks invariants, never what is measured. */
  db: postgres.Sql;
  serviceKey: string;
  settings: StackSettings;
  /** A folder of the bench stack for generated files (pgbench scripts). */
  workDir: string;
  /** Progress on stderr, so `--json` keeps stdout clean. */
  log: (line: string) => void;
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export interface Pair {
  value: number;
  ceiling: number;
}

/**
 * Runs measured (A) and ceiling (B) alternately, A B B A A B …, and returns the pair whose ratio is the
 * median one, so value / ceiling = ratio holds exactly in the printed line; the log shows every pair.
 * Each pair runs in the other order than the last: a machine that slows down or speeds up during a
 * run (table growth, background writes, a neighbour on the host) then favours neither side.
 */
export async function interleaved(
  name: string,
  pairs: number,
  unit: string,
  log: (line: string) => void,
  measured: () => Promise<number>,
  ceiling: () => Promise<number>,
): Promise<Pair & { spread: [number, number] }> {
  const runs: Pair[] = [];
  for (let i = 0; i < pairs; i++) {
    let value: number;
    let top: number;
    if (i % 2 === 0) {
      value = await measured();
      top = await ceiling();
    } else {
      top = await ceiling();
      value = await measured();
    }
    runs.push({ value, ceiling: top });
    log(`  ${name}: pair ${i + 1}/${pairs}: ${value.toFixed(1)} / ${top.toFixed(1)} ${unit} = ${(value / top).toFixed(3)}`);
  }
  const ratios = runs.map((r) => r.value / r.ceiling);
  const sorted = [...runs].sort((a, b) => a.value / a.ceiling - b.value / b.ceiling);
  const middle = sorted[Math.floor(sorted.length / 2)]!;
  return { ...middle, spread: [Math.min(...ratios), Math.max(...ratios)] };
}

/** Interleaved pairs per benchmark (TANGENT_BENCH_PAIRS): the median of five is steady where three was not. */
export const benchPairs = () => envInt("TANGENT_BENCH_PAIRS", 5);

/** A positive integer from the environment (bench knobs), else the default. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not ${raw}`);
  return value;
}
