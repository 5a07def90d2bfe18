/** Escapes LIKE's wildcards (and its escape character) so that typed text matches only itself. */
export const escapeLike = (value: string) => value.replace(/[\\%_]/g, '\\$&')
