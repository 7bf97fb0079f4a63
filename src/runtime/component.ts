/**
 * The shape every subsystem of a running cluster has (the reconcile loop, the API, and in wave 2 the proxy,
 * the job scheduler, the monitor and the autoscaler): start, stop, and a health a human can read. A Host
 * starts its components in order and stops them in reverse; a component that fails to start stops the ones
 * already started, so a failed start leaves nothing running.
 */

export interface ComponentHealth {
  readonly ok: boolean;
  /** One line for `paasta up`, status and /metrics: "listening on …", "HAProxy not installed: discovery off". */
  readonly detail: string;
}

export interface Component {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): ComponentHealth;
}

export class Host {
  private readonly components: Component[] = [];
  private started: Component[] = [];

  add(c: Component): this {
    this.components.push(c);
    return this;
  }

  get<C extends Component>(name: string): C | undefined {
    return this.components.find((c) => c.name === name) as C | undefined;
  }

  async start(): Promise<void> {
    for (const c of this.components) {
      try {
        await c.start();
        this.started.push(c);
      } catch (e) {
        await this.stop();
        throw e;
      }
    }
  }

  /** Stops what was started, last first; every component is asked even when one fails. */
  async stop(): Promise<void> {
    const errors: unknown[] = [];
    for (const c of this.started.reverse()) await c.stop().catch((e: unknown) => errors.push(e));
    this.started = [];
    if (errors.length > 0) throw errors[0];
  }

  health(): Record<string, ComponentHealth> {
    return Object.fromEntries(this.components.map((c) => [c.name, c.health()]));
  }
}
