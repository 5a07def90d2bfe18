/** "A", "A and B", "A, B and C": a list in running text, as the councils' papers write it (no Oxford comma). */
export function listJoin(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`
}

/** Words as a file name or address part: "Charnwood CSP 2018/19" gives "charnwood-csp-2018-19". */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
}
