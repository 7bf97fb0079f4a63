/**
 * The gate every write passes: at most `allowed(state)` writes in flight (flow.ts decides the number from the
 * server's answers). Waiters start in arrival order.
 */
import {
  allowed,
  FLOW_DEFAULTS,
  type FlowSettings,
  type FlowSignal,
  type FlowState,
  initialFlow,
  nextFlow,
} from "./flow.js";

export class WriteGate {
  private flow: FlowState;
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly settings: FlowSettings = FLOW_DEFAULTS) {
    this.flow = initialFlow(settings);
  }

  get state(): FlowState {
    return this.flow;
  }

  get active(): number {
    return this.inFlight;
  }

  /** Resolves when a write may start; the caller must call `release` once it has the answer. */
  acquire(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(() => {
        this.inFlight++;
        resolve();
      });
      this.pump();
    });
  }

  release(signal: FlowSignal): void {
    this.inFlight--;
    this.flow = nextFlow(this.flow, signal, Date.now(), this.settings);
    this.pump();
  }

  private pump(): void {
    while (this.waiters.length > 0 && this.inFlight < allowed(this.flow)) this.waiters.shift()?.();
  }
}
