/**
 * Whether index `i` is one of a share `share` (0–1) of the indexes, spread
 * evenly: i is in when the count of chosen indexes up to i grows,
 * ⌊(i + 1)·share⌋ > ⌊i·share⌋. Any run of n indexes holds n·share of them give
 * or take one, so every window of a load sees the share asked for.
 */
export function inEvenShare(index: number, share: number): boolean {
  return Math.floor((index + 1) * share) > Math.floor(index * share);
}
