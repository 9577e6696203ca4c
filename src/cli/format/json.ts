/** JSON as Go's encoding/json writes it (`<`, `>`, `&` escaped), which Docker prints. */

/** Serializes like Go's json.Marshal / MarshalIndent. */
export function dockerJson(value: unknown, indent?: string): string {
  return JSON.stringify(value, null, indent).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
