// MLLP (HL7's Minimal Lower Layer Protocol): each message travels as 0x0B, the message, 0x1C 0x0D. The reader
// takes bytes as they come (a frame may arrive a byte at a time or several in one chunk) and hands on whole
// messages; what does not fit the framing is reported and skipped, so one broken frame never loses the next.
export const START_BLOCK = 0x0b;
export const END_BLOCK = 0x1c;
export const CARRIAGE_RETURN = 0x0d;

export function frame(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from([START_BLOCK]), message, Buffer.from([END_BLOCK, CARRIAGE_RETURN])]);
}

export type FrameProblem =
  /** Bytes outside any frame (before a start block): skipped. */
  | { kind: "outside"; bytes: number }
  /** A new start block before the last frame ended: the unfinished frame is dropped. */
  | { kind: "unterminated"; bytes: number }
  /** An end block not followed by a carriage return: the frame is dropped. */
  | { kind: "bad-end"; bytes: number }
  /** A frame larger than allowed: dropped up to its end. */
  | { kind: "too-large"; bytes: number };

export type FrameReader = {
  /** Feeds received bytes; calls back with each whole message and each problem, in order. */
  push(chunk: Buffer): void;
  /** Bytes of an unfinished frame held right now (0 between frames). */
  pending(): number;
};

export function createFrameReader({
  maxBytes,
  onMessage,
  onProblem,
}: {
  maxBytes: number;
  onMessage: (message: Buffer) => void;
  onProblem: (problem: FrameProblem) => void;
}): FrameReader {
  let parts: Buffer[] = [];
  let size = 0;
  let inFrame = false;
  let tooLarge = false;
  let outside = 0;
  /** An end block was the last byte of a chunk: the carriage return may come with the next. */
  let endPending = false;

  const reset = () => {
    parts = [];
    size = 0;
    inFrame = false;
    tooLarge = false;
  };
  const flushOutside = () => {
    if (outside) onProblem({ kind: "outside", bytes: outside });
    outside = 0;
  };
  const take = (bytes: Buffer) => {
    if (tooLarge || !bytes.length) return;
    size += bytes.length;
    if (size > maxBytes) {
      tooLarge = true;
      parts = [];
      return;
    }
    parts.push(bytes);
  };
  const finish = () => {
    if (tooLarge) onProblem({ kind: "too-large", bytes: size });
    else onMessage(Buffer.concat(parts, size));
    reset();
  };

  return {
    pending: () => (inFrame ? size : 0),
    push(chunk) {
      let at = 0;
      if (endPending && chunk.length) {
        endPending = false;
        if (chunk[0] === CARRIAGE_RETURN) {
          finish();
          at = 1;
        } else {
          onProblem({ kind: "bad-end", bytes: size + 1 });
          reset();
        }
      }
      while (at < chunk.length) {
        if (!inFrame) {
          const start = chunk.indexOf(START_BLOCK, at);
          if (start === -1) {
            outside += chunk.length - at;
            return;
          }
          outside += start - at;
          flushOutside();
          inFrame = true;
          at = start + 1;
          continue;
        }
        const end = chunk.indexOf(END_BLOCK, at);
        const restart = chunk.indexOf(START_BLOCK, at);
        if (restart !== -1 && (end === -1 || restart < end)) {
          take(chunk.subarray(at, restart));
          onProblem({ kind: "unterminated", bytes: size });
          reset();
          at = restart;
          continue;
        }
        if (end === -1) {
          take(chunk.subarray(at));
          return;
        }
        take(chunk.subarray(at, end));
        if (end + 1 >= chunk.length) {
          endPending = true;
          return;
        }
        if (chunk[end + 1] === CARRIAGE_RETURN) {
          finish();
          at = end + 2;
        } else {
          // The byte after the end block may start the next frame: it is looked at again.
          onProblem({ kind: "bad-end", bytes: size + 1 });
          reset();
          at = end + 1;
        }
      }
    },
  };
}

/** What a problem means, for a log line. */
export function describeFrameProblem(problem: FrameProblem): string {
  switch (problem.kind) {
    case "outside":
      return `${problem.bytes} byte(s) outside an MLLP frame were skipped (a frame starts with 0x0B)`;
    case "unterminated":
      return `an MLLP frame of ${problem.bytes} byte(s) had no end (0x1C 0x0D) before the next began; it was dropped`;
    case "bad-end":
      return "an MLLP frame ended with 0x1C not followed by 0x0D; it was dropped";
    case "too-large":
      return `an MLLP frame of ${problem.bytes} byte(s) is larger than allowed; it was dropped`;
  }
}
