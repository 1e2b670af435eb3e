// What code under test writes to process.stdout and process.stderr, where Powertools prints its JSON log lines and
// EMF metric documents (past Vitest's console capture, so a spy on the streams is the one place to read them).
import { vi } from 'vitest';

export type JsonLine = Record<string, unknown>;

/** One metric of an EMF document: its namespace, name, dimension names (sorted) and the document's fields. */
export interface EmfMetric {
  namespace: string;
  name: string;
  dimensions: string[];
  fields: JsonLine;
}

/**
 * Runs `run` with process.stdout and process.stderr captured (Powertools writes INFO lines and EMF to stdout, WARN
 * and ERROR lines to stderr; Lambda sends both to one log group): its result and every chunk written meanwhile.
 */
export async function captureOutput<T>(run: () => T | Promise<T>): Promise<{ value: T; output: string[] }> {
  const output: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    return { value: await run(), output };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** The lines of `chunks` that are JSON objects (log lines, EMF documents); other text is skipped. */
export function jsonLines(chunks: readonly string[]): JsonLine[] {
  return chunks
    .join('')
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        const value: unknown = JSON.parse(line);
        return typeof value === 'object' && value !== null ? [value as JsonLine] : [];
      } catch {
        return [];
      }
    });
}

interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string }[];
}

/** Every metric the EMF documents among `lines` declare, once per dimension set. */
export function emfMetrics(lines: readonly JsonLine[]): EmfMetric[] {
  return lines.flatMap((fields) => {
    const aws = fields._aws as { CloudWatchMetrics?: EmfDirective[] } | undefined;
    return (aws?.CloudWatchMetrics ?? []).flatMap((directive) =>
      directive.Metrics.flatMap((metric) =>
        directive.Dimensions.map((set) => ({
          namespace: directive.Namespace,
          name: metric.Name,
          dimensions: [...set].sort(),
          fields,
        })),
      ),
    );
  });
}
