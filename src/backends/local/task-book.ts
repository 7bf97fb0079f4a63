/**
 * The supervisor's per-task bookkeeping, in one place: which tasks have work in flight, when each is next
 * checked, whether its drain call was made, and which tasks this process started. Kept in memory only; after
 * a restart adoption rebuilds what matters (a health check due at once).
 */

export class TaskBook {
  /** Tasks with work in flight (start, health check, drain); one piece of work per task at a time. */
  readonly busy = new Set<string>();
  /** Tasks being stopped because they failed their health checks (the liveness check must not count them twice). */
  readonly killing = new Set<string>();
  /** When each task's next health check is due; absent: at the end of its grace period. */
  readonly nextHealth = new Map<string, number>();
  /** When each task's process is next polled for liveness; absent: now. */
  readonly nextLiveness = new Map<string, number>();
  /** Draining tasks whose drain call was made (it is made once; is_safe_to_kill is asked every tick). */
  readonly drainCalled = new Set<string>();
  /** Tasks started by this process: their exit is signalled, so they are polled only as a safety net. */
  readonly own = new Set<string>();

  /** Whether a task has work in flight or is being killed. */
  occupied(id: string): boolean {
    return this.busy.has(id) || this.killing.has(id);
  }

  /** Whether no task has work in flight (the supervisor may close). */
  idle(): boolean {
    return this.busy.size === 0 && this.killing.size === 0;
  }

  /** Forgets a task that ended (its in-flight marks are cleared by the work that set them). */
  forget(id: string): void {
    this.nextHealth.delete(id);
    this.nextLiveness.delete(id);
    this.own.delete(id);
    this.drainCalled.delete(id);
  }
}

/**
 * Runs `work` with `id` marked in `marks` (busy or killing) until it settles, then calls `settled` (the
 * supervisor's poke). A rejection of `work` is not caught here.
 */
export function holdWhile(marks: Set<string>, id: string, work: () => Promise<unknown>, settled: () => void): void {
  marks.add(id);
  void work().finally(() => {
    marks.delete(id);
    settled();
  });
}
