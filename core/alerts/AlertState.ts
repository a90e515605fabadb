/** Where one alert stands for one group: what evaluateWindow carries from one final window to the next. */
export interface AlertState {
  readonly status: 'ok' | 'raised';
  /** Start of the last window evaluated (epoch ms): a window starting at or before it was evaluated already, or comes too late to count. */
  readonly lastWindowStartMs: number;
  /** Breaching windows in a row, ending with the last one evaluated. */
  readonly streak: number;
  /** Transitions published so far for this alert and group; the next one is number `transitions + 1`. */
  readonly transitions: number;
}
