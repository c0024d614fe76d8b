// What can go wrong with an outbound call, typed so steps can decide what to retry.

export class OutboundError extends Error {
  /** Timeouts and connection failures may pass on their own; a refused address or a bad URL will not. */
  readonly transient: boolean;
  constructor(message: string, { transient }: { transient: boolean }) {
    super(message);
    this.name = new.target.name;
    this.transient = transient;
  }
}

export class OutboundBlockedError extends OutboundError {
  constructor(message: string) {
    super(message, { transient: false });
  }
}

export class OutboundTimeoutError extends OutboundError {
  constructor(message: string) {
    super(message, { transient: true });
  }
}

export class OutboundResponseTooLargeError extends OutboundError {
  constructor(message: string) {
    super(message, { transient: false });
  }
}

export class OutboundConnectionError extends OutboundError {
  constructor(message: string, { transient = true }: { transient?: boolean } = {}) {
    super(message, { transient });
  }
}

export function isTransient(error: unknown): boolean {
  return error instanceof OutboundError && error.transient;
}
