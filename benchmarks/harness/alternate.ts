/** How often {@link alternateBest} runs each side. */
export interface AlternateOptions {
  /** Untimed runs of each side first (JIT, caches, pools), alternating. */
  readonly warmups: number;
  /** Timed runs of each side, alternating, ours first in each round. */
  readonly rounds: number;
}

/**
 * Runs both sides the same number of times, alternating so the shared
 * machine's noise hits them alike, and keeps each side's best rate. Each
 * function runs once and returns its own rate (operations per second).
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
  let ours_hz = 0;
  let peer_hz = 0;
  for (let i = 0; i < options.rounds; i++) {
    ours_hz = Math.max(ours_hz, await ours());
    peer_hz = Math.max(peer_hz, await peer());
  }
  return { ours_hz, peer_hz };
}
