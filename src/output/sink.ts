import { redact } from "../secrets.js";

/**
 * The one way text reaches a person's terminal. What hosts send (file contents in a diff,
 * command output, error text) may hold control sequences: a screen clear, an OSC 52 write to
 * the clipboard, a title change, a bare CR that overwrites the line under review. Every
 * C0 and C1 control character but newline and tab, and the Unicode controls that reorder or
 * hide text, are shown as visible escapes; every known secret value is masked first.
 * (`--json` is not for terminals: it stays exact, and redacted; see json.ts.)
 */
export function forPerson(text: string): string {
  return escapeControls(redact(text));
}

// C0 but \t and \n, DEL, C1; bidirectional overrides and isolates; zero-width and BOM.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const NAMED: Record<string, string> = {
  "\r": "\\r",
  "\x1b": "\\e",
  "\b": "\\b",
  "\f": "\\f",
  "\v": "\\v",
  "\0": "\\0",
};

export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}
