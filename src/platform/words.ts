/** "A", "A and B", "A, B and C": a list in running text, as the councils' papers write it (no Oxford comma). */
export function listJoin(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`
}
