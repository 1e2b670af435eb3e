// Everything the local stack prints that came from a request goes through here: control characters (C0, DEL,
// C1), the Unicode line and paragraph separators and the bidirectional controls are written as \u escapes, so
// input can neither forge log lines nor move the cursor, recolour or reorder the operator's terminal.

const BIDI_AND_SEPARATORS = new Set([
  0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
]);

function isUnsafe(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x2066 && code <= 0x2069) ||
    BIDI_AND_SEPARATORS.has(code)
  );
}

export function escapeControlCharacters(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    out += isUnsafe(code) ? `\\u${code.toString(16).padStart(4, '0')}` : text[i];
  }
  return out;
}
