/** How often {@link alternateBest} runs each side. */
export interface AlternateOptions {
  /** Untimed runs of each side first (JIT, caches, pools), alternating. */
  readonly warmups: number;
  /** Timed runs of each side, alternating, ours first in each round. */
  readonly rounds: number;
  /**
   * Which of each side's rates counts. `best` (default): the least disturbed
   * run. `median`: for rows where each run draws its own luck (a fresh pool's
   * thread placement), so one lucky draw does not decide the row.
   */
  readonly keep?: 'best' | 'median';
}

/**
 * Runs both sides the same number of times, alternating so the shared
 * machine's noise hits them alike, and keeps each side's best (or median)
 * rate. Each function runs once and returns its own rate (operations per
 * second).
 */
export async function alternateBest(
  options: AlternateOptions,
  ours: () => Promise<number>,
  peer: () => Promise<number>,
): Promise<{ ours_hz: number; peer_hz: number }> {
  for (let i = 0; i < options.warmups; i++) {
    await ours();
    await peer();
  }
  const oursRates: number[] = [];
  const peerRates: number[] = [];
  for (let i = 0; i < options.rounds; i++) {
    oursRates.push(await ours());
    peerRates.push(await peer());
  }
  const keep = options.keep === 'median' ? median : (rates: number[]) => Math.max(...rates);
  return { ours_hz: keep(oursRates), peer_hz: keep(peerRates) };
}

/** The middle rate; of an even count, the lower middle one. */
function median(rates: number[]): number {
  const sorted = [...rates].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
